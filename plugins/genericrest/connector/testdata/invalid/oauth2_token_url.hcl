# want: auth.oauth2.token_url
base_url = "https://api.example.com"
auth {
  oauth2 {
    token_url     = "/oauth/token"
    client_id     = "id"
    client_secret = "secret"
  }
}
deletion {
  mode = "whole_record"
  path = "/erase"
}
