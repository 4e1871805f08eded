# want: deletion.async.failed_values
base_url = "https://api.example.com"
deletion {
  mode   = "whole_record"
  method = "POST"
  path   = "/deletions"
  async {
    job_id_path   = "$.id"
    status_path   = "$.state"
    done_values   = ["finished"]
    failed_values = ["finished"]
    status {
      path = "/deletions/{{ .job_id }}"
    }
  }
}
