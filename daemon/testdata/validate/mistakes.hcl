# One mistake of each kind; `dsrhost validate` must report each, at once.
server {
  listen = "127.0.0.1:8700"
}

redis {
  url = "redis://127.0.0.1:6379/0"
}

encryption_key = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="

unknown_block {
  x = 1
}

integration "bad-duration" {
  plugin         = "heap"
  retry_interval = "1 fortnight"
  settings {
    app_id  = "1234"
    api_key = "k"
  }
}

integration "nowhere" {
  plugin = "no-such-plugin"
}

integration "heap-wrong-type" {
  plugin = "heap"
  settings {
    app_id       = "1234"
    api_key      = env("DSRHOST_VALIDATE_TEST_SECRET")
    send_user_id = "sometimes"
  }
}

integration "heap-missing" {
  plugin = "heap"
  settings {
    app_id = "1234"
  }
}

integration "support" {
  plugin = "directcontact"
  settings {
    to = env("DSRHOST_VALIDATE_TEST_SECRET")
    smtp {
      host = "127.0.0.1"
    }
  }
}
