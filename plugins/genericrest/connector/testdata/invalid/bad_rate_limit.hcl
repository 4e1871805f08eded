# want: rate_limit.requests
# want: rate_limit.per
# Both mistakes are reported at once.
base_url = "https://api.example.com"
rate_limit {
  requests = 0.5
  per      = "soon"
}
deletion {
  mode = "whole_record"
  path = "/erase"
}
