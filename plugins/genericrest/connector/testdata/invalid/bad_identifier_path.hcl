# want: access.identifiers
base_url = "https://api.example.com"
access {
  path         = "/contacts"
  records_path = "$.data[*]"
  identifiers  = { user_id = "$.[" }
}
