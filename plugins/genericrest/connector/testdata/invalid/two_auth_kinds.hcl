# want: auth.basic
base_url = "https://api.example.com"
auth {
  bearer {
    token = "t"
  }
  basic {
    username = "u"
    password = "p"
  }
}
deletion {
  mode = "whole_record"
  path = "/erase"
}
