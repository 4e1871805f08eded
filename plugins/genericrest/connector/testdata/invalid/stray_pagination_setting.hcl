# want: access.pagination.cursor_path
# An offset paginator has no cursor: a leftover from another kind.
base_url = "https://api.example.com"
access {
  path         = "/contacts"
  records_path = "$.data[*]"
  pagination {
    kind        = "offset"
    cursor_path = "$.next"
  }
}
