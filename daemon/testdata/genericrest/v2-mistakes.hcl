server {
  listen = "127.0.0.1:0"
}
redis {
  url = "redis://127.0.0.1:1/0"
}
encryption_key = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="

integration "misused-function" {
  plugin = "genericrest"
  settings {
    base_url = "https://api.example.com"
    deletion {
      mode = "whole_record"
      path = "/users/{{ .email | hmac_sha256 }}"
    }
  }
}

integration "unknown-output" {
  plugin = "genericrest"
  settings {
    base_url = "https://api.example.com"
    deletion {
      mode = "whole_record"
      step {
        path    = "/users"
        query   = { email = "{{ .email }}" }
        outputs = { user_id = "$.users[*].id" }
      }
      path = "/users/{{ .outputs.contact_id }}"
    }
  }
}

integration "catalogue-value-missing" {
  plugin = "genericrest"
  settings {
    template = "mailchimp"
    values   = { dc = "us6" }
    secrets  = { api_key = "k" }
  }
}
