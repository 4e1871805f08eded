# want: access.records_path
base_url = "https://api.example.com"
access {
  path         = "/contacts"
  records_path = "$.data["
}
