# An example dsrhost configuration: one integration of each shipped plugin
# and a manual data source, pointed at local demo services.
#
#   bin/dsrhost validate examples/dsrhost.hcl
#
# Secrets come from file() here so the example validates on a fresh checkout;
# in production use env(), e.g. encryption_key = env("DSRHOST_ENCRYPTION_KEY").

server {
  listen     = "127.0.0.1:8700"
  public_url = "http://127.0.0.1:8700" # base of direct-contact links
}

redis {
  url = "redis://127.0.0.1:6379/0"
}

encryption_key = trimspace(file("secrets/encryption.key"))

# Tokens are stored as SHA-256 hashes: echo -n "$TOKEN" | sha256sum
admin_token "ops" {
  sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" # "test"
  role   = "operator"
}

results_retention = "30d"

request_type "deletion" {
  deadline                  = "45d"
  auto_approve              = false
  require_deletion_approval = false
}

request_type "access" {
  deadline = "45d"
}

# Shipped plugins need no plugin block: they are found beside bin/dsrhost.
# A plugin block pins a binary and its checksum:
# plugin "heap" {
#   command = "bin/dsrhost-plugin-heap"
#   sha256  = "<sha256sum of the binary>"
# }

integration "heap" {
  plugin            = "heap"
  category          = "Analytics"
  retry_interval    = "24h"
  max_attempts      = 30
  poll_interval     = "1h"
  max_wait          = "4380h" # six months
  deletion_behavior = "wait_for_completion"
  settings {
    app_id   = "1234"
    api_key  = trimspace(file("secrets/heap-api-key"))
    base_url = "http://127.0.0.1:8782" # the Heap API stand-in; https://heapanalytics.com in production
  }
}

integration "crm" {
  plugin   = "genericrest"
  category = "CRM"
  settings {
    base_url = "http://127.0.0.1:8781/v1"
    auth {
      bearer {
        token = trimspace(file("secrets/crm-token"))
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

integration "acme-support" {
  plugin   = "directcontact"
  category = "Customer support"
  settings {
    to             = ["privacy@acme.example"]
    from           = "privacy@example.com"
    due_in         = "14d"
    on_no_response = "skip"
    smtp {
      host = "127.0.0.1"
      port = 2525
      tls  = "none"
    }
  }
}

reply_template "access" {
  subject = "Your data access request"
  body    = "Hello,\n\nattached is a copy of the personal data we hold about you.\n"
}

manual "paper-archive" {
  category      = "Physical records"
  request_types = ["deletion", "do_not_mail", "right_to_edit"]
  instructions  = "Shred the subject's paper file in room 4."
}
