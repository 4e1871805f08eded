redis {
  url = "redis://127.0.0.1:6379"
}

encryption_key = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="

server {
  public_url = "privacy.example.com"
}
