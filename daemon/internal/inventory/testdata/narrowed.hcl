server {
  listen = "127.0.0.1:8700"
}
redis {
  url = "redis://127.0.0.1:6379/0"
}
encryption_key = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="

plugin "genericrest" {
  command = "PLUGIN"
}

integration "eraser" {
  plugin = "genericrest"
  settings {
    base_url = "http://127.0.0.1:9"
    deletion {
      mode   = "whole_record"
      method = "POST"
      path   = "/erase"
      body   = "{\"email\": \"{{ .email }}\"}"
    }
  }
}

integration "bad-setting" {
  plugin = "genericrest"
  settings {
    base_url = "http://127.0.0.1:9"
    access {
      path         = "/contacts"
      records_path = "$.[[["
    }
  }
}
