# want: base_url
base_url = "api.example.com/v1"
deletion {
  mode = "whole_record"
  path = "/erase"
}
