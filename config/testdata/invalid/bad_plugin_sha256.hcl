redis {
  url = "redis://127.0.0.1:6379"
}

encryption_key = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="

plugin "crm" {
  command = "bin/dsrhost-plugin-crm"
  sha256  = "2c26b46b"
}
