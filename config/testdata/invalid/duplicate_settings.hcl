redis {
  url = "redis://127.0.0.1:6379"
}

encryption_key = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="

integration "heap" {
  plugin = "heap"
  settings {
    app_id = "1"
  }
  settings {
    app_id = "2"
  }
}
