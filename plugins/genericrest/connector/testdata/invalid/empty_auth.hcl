# want: auth
base_url = "https://api.example.com"
auth {}
deletion {
  mode = "whole_record"
  path = "/erase"
}
