redis {
  sentinel {
    master_name = "mymaster"
    addrs       = ["10.0.0.5:26379", "10.0.0.6"]
  }
}

encryption_key = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
