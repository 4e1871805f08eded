integration "crm" {
  plugin = "genericrest"
}

integration "analytics" {
  plugin     = "heap"
  depends_on = ["crm"]
}
