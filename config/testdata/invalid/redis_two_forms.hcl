redis {
  url = "redis://127.0.0.1:6379"
  cluster {
    addrs = ["10.0.0.5:7000"]
  }
}

encryption_key = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
