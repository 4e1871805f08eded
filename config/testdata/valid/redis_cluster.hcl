redis {
  cluster {
    addrs = ["10.0.0.5:7000", "10.0.0.6:7000", "10.0.0.7:7000"]
  }
}

encryption_key = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
