redis {
  sentinel {
    master_name = "mymaster"
    addrs       = ["10.0.0.5:26379", "10.0.0.6:26379"]
    password    = env("DSRHOST_TEST_REDIS_PASSWORD")
    db          = 2
  }
}

encryption_key = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
