integration "web" {
  plugin     = "genericrest"
  depends_on = ["cmr"]
}
