entry "sendgrid" {
  title     = "SendGrid Marketing Campaigns"
  category  = "Marketing"
  summary   = "Marketing contacts found by email address; each deleted by a SendGrid deletion job the integration follows to completion."
  behaviour = "synchronous access, asynchronous deletion"
  docs      = "https://www.twilio.com/docs/sendgrid/api-reference/contacts/delete-contacts"
  secrets = {
    api_key = "An API key with Marketing > Contacts full access."
  }
}

# SendGrid v3: search by emails answers 404 when none is found; DELETE
# /marketing/contacts?ids= answers 202 with a job_id whose state the
# imports endpoint reports.
settings {
  base_url = "https://api.sendgrid.com"
  auth {
    bearer {
      token = var.api_key
    }
  }
  rate_limit {
    requests = 5
    per      = "1s"
  }
  test_request {
    path = "/v3/scopes"
  }
  access {
    method             = "POST"
    path               = "/v3/marketing/contacts/search/emails"
    body               = "{\"emails\": [\"{{ .email }}\"]}"
    records_path       = "$.result.*.contact"
    record_kind        = "contact"
    not_found_is_empty = true
  }
  deletion {
    method = "DELETE"
    path   = "/v3/marketing/contacts"
    query = {
      ids = "{{ .record.id }}"
    }
    async {
      job_id_path = "$.job_id"
      status {
        path = "/v3/marketing/contacts/imports/{{ .job_id }}"
      }
      status_path   = "$.status"
      done_values   = ["completed"]
      failed_values = ["failed", "errored"]
      poll_after    = "1m"
    }
  }
}
