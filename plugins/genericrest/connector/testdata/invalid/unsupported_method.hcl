# want: access.method
base_url = "https://api.example.com"
access {
  method       = "FETCH"
  path         = "/contacts"
  records_path = "$.data[*]"
}
