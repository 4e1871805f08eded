redis {
  url = "redis://127.0.0.1:6379"
}

encryption_key = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="

server {
  listen = "127.0.0.1:8700"
  port   = 8700
}
