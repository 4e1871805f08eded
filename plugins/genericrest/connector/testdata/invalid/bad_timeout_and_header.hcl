# want: timeout
# want: headers
base_url = "https://api.example.com"
timeout  = "-5s"
headers  = { "Bad Header" = "x" }
deletion {
  mode = "whole_record"
  path = "/erase"
}
