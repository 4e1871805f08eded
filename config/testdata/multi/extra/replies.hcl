# file() reads beside this file, not beside the first file.
reply_template "access" {
  subject = "Your data"
  body    = file("templates/access.txt")
}
