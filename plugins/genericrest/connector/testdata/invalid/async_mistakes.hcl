# want: access.async.done_values
# want: access.async.status.path
# want: access.async.job_id_path
base_url = "https://api.example.com"
access {
  method       = "POST"
  path         = "/exports"
  records_path = "$.records"
  async {
    job_id_path = "$..["
    status_path = "$.status"
    done_values = []
    status {
      path = "/exports/{{ .record_id }}"
    }
  }
}
