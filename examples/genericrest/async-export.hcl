# An asynchronous privacy API through genericrest: access submits an export
# job, polls it until "completed", then reads its records page by page through
# RFC 8288 Link headers; deletion submits a deletion job by email and polls it
# ("Deletion done"). demoapi.Exports serves this API for tests and dev mode.

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

integration "demo-exports" {
  plugin            = "genericrest"
  category          = "Marketing"
  poll_interval     = "1h"
  max_wait          = "336h" # fourteen days
  deletion_behavior = "wait_for_completion"

  settings {
    base_url = "http://127.0.0.1:8785"

    auth {
      header {
        name  = "X-Api-Key"
        value = env("DEMO_EXPORTS_API_KEY")
      }
    }

    access {
      method       = "POST"
      path         = "/privacy/exports"
      body         = <<-EOT
        {"email": "{{ .email }}"}
      EOT
      records_path = "$.records"
      record_kind  = "event"

      pagination {
        kind = "link_header"
      }

      async {
        job_id_path   = "$.data.id"
        status_path   = "$.data.status"
        done_values   = ["completed"]
        failed_values = ["failed", "cancelled"]
        poll_after    = "1h"

        status {
          path = "/privacy/exports/{{ .job_id }}"
        }

        result {
          path = "/privacy/exports/{{ .job_id }}/records"
        }
      }
    }

    deletion {
      mode   = "whole_record"
      method = "POST"
      path   = "/privacy/deletions"
      body   = <<-EOT
        {"email": "{{ .email }}"}
      EOT

      async {
        job_id_path = "$.data.id"
        status_path = "$.data.status"
        done_values = ["completed"]
        poll_after  = "1h"

        status {
          path = "/privacy/deletions/{{ .job_id }}"
        }
      }
    }
  }
}
