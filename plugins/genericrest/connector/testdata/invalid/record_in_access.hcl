# want: access.path
# The record exists only when deleting record by record.
base_url = "https://api.example.com"
access {
  path         = "/contacts/{{ .record.id }}"
  records_path = "$.data[*]"
}
