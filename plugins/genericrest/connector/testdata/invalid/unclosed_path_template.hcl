# want: access.path
base_url = "https://api.example.com"
access {
  path         = "/contacts/{{ .email "
  records_path = "$.data[*]"
}
