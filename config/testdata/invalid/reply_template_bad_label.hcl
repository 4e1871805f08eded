redis {
  url = "redis://127.0.0.1:6379"
}

encryption_key = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="

reply_template "approved" {
  subject = "Done"
  body    = "Your request is done."
}
