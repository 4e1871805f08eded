redis {
  url = "redis://127.0.0.1:6379"
}

encryption_key = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="

admin_token "ops" {
  sha256 = "my-secret-token"
  role   = "admin"
}
