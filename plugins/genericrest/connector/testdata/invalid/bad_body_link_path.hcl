# want: access.pagination.next_path
base_url = "https://api.example.com"
access {
  path         = "/contacts"
  records_path = "$.data[*]"
  pagination {
    kind      = "body_link"
    next_path = "$$links"
  }
}
