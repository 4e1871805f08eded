# want: access.pagination.kind
base_url = "https://api.example.com"
access {
  path         = "/contacts"
  records_path = "$.data[*]"
  pagination {
    kind = "pages"
  }
}
