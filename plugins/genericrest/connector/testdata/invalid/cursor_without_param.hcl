# want: access.pagination.cursor_param
base_url = "https://api.example.com"
access {
  path         = "/contacts"
  records_path = "$.data[*]"
  pagination {
    kind        = "cursor"
    cursor_path = "$.next"
  }
}
