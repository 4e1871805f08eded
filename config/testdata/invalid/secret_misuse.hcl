# A secret from env() used wrongly everywhere; no diagnostic may show it.

redis {
  url = env("DSRHOST_TEST_SECRET")
}

encryption_key = env("DSRHOST_TEST_SECRET")

server {
  listen = env("DSRHOST_TEST_SECRET")
}

results_retention = env("DSRHOST_TEST_SECRET")

admin_token "ops" {
  sha256 = env("DSRHOST_TEST_SECRET")
  role   = env("DSRHOST_TEST_SECRET")
}

plugin "sample" {
  command = "bin/dsrhost-plugin-sample"
}

integration "crm" {
  plugin            = "sample"
  max_attempts      = env("DSRHOST_TEST_SECRET")
  depends_on        = [env("DSRHOST_TEST_SECRET")]
  deletion_behavior = "${env("DSRHOST_TEST_SECRET")}-x"
  category          = env("DSRHOST_TEST_SECRET") ? "a" : "b"
  settings {
    base_url   = env("DSRHOST_TEST_SECRET")
    api_key    = [env("DSRHOST_TEST_SECRET")]
    page_size  = env("DSRHOST_TEST_SECRET")
    timeout    = env("DSRHOST_TEST_SECRET")
    verify_tls = env("DSRHOST_TEST_SECRET")
    pin        = "LITERAL-PIN-1234"
    endpoint {
      path = "/"
    }
  }
}

integration "other" {
  plugin = env("DSRHOST_TEST_SECRET")
}

smtp {
  host = "smtp.example.com"
  port = env("DSRHOST_TEST_SECRET")
  from = env("DSRHOST_TEST_SECRET")
  tls  = env("DSRHOST_TEST_SECRET")
}

reply_template "access" {
  subject = env(env("DSRHOST_TEST_SECRET"))
  body    = file(env("DSRHOST_TEST_SECRET"))
}

manual "paper" {
  request_types = [env("DSRHOST_TEST_SECRET")]
}
