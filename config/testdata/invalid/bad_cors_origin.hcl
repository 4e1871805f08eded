redis {
  url = "redis://127.0.0.1:6379"
}

encryption_key = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="

server {
  cors_origins = ["https://console.example.com", "https://console.example.com/ui/"]
}
