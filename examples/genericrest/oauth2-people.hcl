# An API behind OAuth2 client credentials through genericrest: people looked
# up by email with offset pagination, erased by identity in one call
# ("Deletion done"). The API throttles in bursts; 429 answers are waited out
# for as long as their Retry-After allows within max_retry_wait.
# demoapi.People serves this API for tests and dev mode.

server {
  listen     = "127.0.0.1:8700"
  public_url = "http://127.0.0.1:8700"
}

redis {
  url = "redis://127.0.0.1:6379/0"
}

encryption_key = env("DSRHOST_ENCRYPTION_KEY")

plugin "genericrest" {
  command = "bin/dsrhost-plugin-genericrest"
}

integration "demo-people" {
  plugin   = "genericrest"
  category = "Support"

  settings {
    base_url       = "http://127.0.0.1:8786/api"
    headers        = { "User-Agent" = "dsrhost-genericrest" }
    max_retry_wait = "30s"

    auth {
      oauth2 {
        token_url     = "http://127.0.0.1:8786/oauth/token"
        client_id     = "dsrhost"
        client_secret = env("DEMO_PEOPLE_CLIENT_SECRET")
        scopes        = ["people.read", "people.erase"]
      }
    }

    rate_limit {
      requests = 5
      per      = "1s"
    }

    access {
      path         = "/people"
      query        = { email = "{{ .email }}" }
      records_path = "$.items"
      record_kind  = "person"
      identifiers  = { people_id = "$.id" }

      pagination {
        kind  = "offset"
        limit = 2
      }
    }

    deletion {
      mode   = "whole_record"
      method = "POST"
      path   = "/people/erasure"
      body   = <<-EOT
        {"email": "{{ .email }}"}
      EOT
    }
  }
}
