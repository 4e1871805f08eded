# want: access.pagination
base_url = "https://api.example.com"
access {
  method       = "POST"
  path         = "/exports"
  records_path = "$.records"
  pagination {
    kind = "link_header"
  }
  async {
    job_id_path = "$.id"
    status_path = "$.status"
    done_values = ["done"]
    status {
      path = "/exports/{{ .job_id }}"
    }
  }
}
