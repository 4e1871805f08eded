# A synchronous CRM through genericrest: contacts looked up by email with
# cursor pagination, deleted one by one ("# records deleted"). The contact id
# found is passed on to integrations that depend on this one as crm_contact_id.
# demoapi.CRM serves this API for tests and dev mode.

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

integration "demo-crm" {
  plugin         = "genericrest"
  category       = "CRM"
  retry_interval = "24h"
  max_attempts   = 30

  settings {
    base_url = "http://127.0.0.1:8781/v1"
    timeout  = "20s"

    auth {
      bearer {
        token = env("DEMO_CRM_TOKEN")
      }
    }

    rate_limit {
      requests = 10
      per      = "1s"
    }

    test_request {
      path = "/me"
    }

    access {
      path         = "/contacts"
      query        = { email = "{{ .email }}", limit = "50" }
      records_path = "$.results[*]"
      record_kind  = "contact"
      identifiers  = { crm_contact_id = "$.id" }

      pagination {
        kind         = "cursor"
        cursor_path  = "$.paging.next.after"
        cursor_param = "after"
      }
    }

    deletion {
      mode = "per_record"
      path = "/contacts/{{ .record.id }}"
    }
  }
}
