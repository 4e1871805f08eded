# want: test_request.path
# test_request runs in Configure, before any request exists.
base_url = "https://api.example.com"
test_request {
  path = "/users/{{ .email }}"
}
deletion {
  mode = "whole_record"
  path = "/erase"
}
