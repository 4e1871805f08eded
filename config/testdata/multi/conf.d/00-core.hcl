# The core of a configuration split over a directory, as in /etc/dsrhost.d.
server {
  listen = "127.0.0.1:8700"
}

redis {
  url = "redis://127.0.0.1:6379"
}

encryption_key = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
