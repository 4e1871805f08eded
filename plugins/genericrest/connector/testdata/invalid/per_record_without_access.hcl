# want: deletion.mode
base_url = "https://api.example.com"
deletion {
  path = "/contacts/{{ .record.id }}"
}
