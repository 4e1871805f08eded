# want: deletion.body
base_url = "https://api.example.com"
deletion {
  mode   = "whole_record"
  method = "POST"
  path   = "/erase"
  body   = "{\"email\": {{ tojson .email }}}"
}
