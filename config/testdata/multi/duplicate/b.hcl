encryption_key = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="

  integration "crm" {
  plugin = "heap"
}

redis {
  url = "redis://127.0.0.1:6380"
}
