# want: deletion.path
base_url = "https://api.example.com"
deletion {
  mode = "whole_record"
  path = "/jobs/{{ .job_id }}"
}
