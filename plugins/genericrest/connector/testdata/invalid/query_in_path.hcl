# want: access.path
# Query values belong in query, where they are encoded.
base_url = "https://api.example.com"
access {
  path         = "/contacts?email={{ .email }}"
  records_path = "$.data[*]"
}
