package devmode

// devConfig is the dev daemon's configuration, filled in at start: listen
// address (twice), embedded Redis address, a fresh encryption key, the root
// token's hash, the plugin blocks, then the demo services' addresses and
// credentials. Intervals are short so a demo request moves in seconds.
const devConfig = `
server {
  listen     = %q
  public_url = "http://%s"
}

redis {
  url = "redis://%s"
}

encryption_key = %q

admin_token "root" {
  sha256 = %q
  role   = "admin"
}

request_type "access" {
  deadline = "45d"
}

request_type "deletion" {
  deadline = "45d"
}

%s
integration "demo-crm" {
  plugin         = "genericrest"
  category       = "CRM"
  retry_interval = "30s"
  max_attempts   = 5
  settings {
    base_url = "http://%s/v1"
    auth {
      bearer {
        token = %q
      }
    }
    access {
      path         = "/contacts"
      query        = { email = "{{ .email }}" }
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

integration "heap" {
  plugin            = "heap"
  category          = "Analytics"
  retry_interval    = "30s"
  max_attempts      = 5
  poll_interval     = "3s"
  deletion_behavior = "wait_for_completion"
  settings {
    app_id   = %q
    api_key  = %q
    base_url = "http://%s"
  }
}

integration "acme-support" {
  plugin   = "directcontact"
  category = "Customer support"
  settings {
    to             = ["privacy@acme.example"]
    from           = "privacy@dsrhost.dev"
    due_in         = "14d"
    on_no_response = "block"
    smtp {
      host = "127.0.0.1"
      port = %s
      tls  = "none"
    }
  }
}

# Replies to subjects go to the mail sink too.
smtp {
  host = "127.0.0.1"
  port = %s
  tls  = "none"
  from = "privacy@dsrhost.dev"
}

# A checklist item for the request types with no automatic processing, so a
# demo deletion request reaches Reply on its own.
manual "paper-archive" {
  category      = "Physical records"
  request_types = ["do_not_mail", "right_to_edit"]
  instructions  = "Shred the subject's paper file in room 4."
}
`

// devPrivacyCenter turns the privacy center on at /privacy/ on the dev
// listener (its address twice); verification and download links reach the
// mail sink's log.
const devPrivacyCenter = `
privacy_center {
  listen       = %q
  public_url   = "http://%s"
  organisation = "dsrhost dev"
  request_type "access" {
    identifiers = ["phone"]
  }
  request_type "deletion" {}
}
`
