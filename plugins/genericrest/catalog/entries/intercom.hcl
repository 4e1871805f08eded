entry "intercom" {
  title     = "Intercom"
  category  = "Customer support"
  summary   = "Contacts (users and leads) found by email address with the search API, each permanently deleted."
  behaviour = "synchronous"
  docs      = "https://developers.intercom.com/docs/references/rest-api/api.intercom.io/contacts/searchcontacts"
  secrets = {
    access_token = "The access token of an Intercom app (Developer Hub > your app > Authentication) with read and write access to users and leads."
  }
}

# Intercom REST API 2.11: the contact search pages in the POST body
# (pagination.starting_after), not in the query.
settings {
  base_url = "https://api.intercom.io"
  headers = {
    "Intercom-Version" = "2.11"
  }
  auth {
    bearer {
      token = var.access_token
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
    method       = "POST"
    path         = "/contacts/search"
    body         = <<-JSON
      {"query": {"field": "email", "operator": "=", "value": "{{ .email }}"}, "pagination": {"per_page": 50}}
    JSON
    records_path = "$.data[*]"
    record_kind  = "contact"
    pagination {
      kind             = "cursor"
      cursor_path      = "$.pages.next.starting_after"
      cursor_body_path = "$.pagination.starting_after"
    }
  }
  deletion {
    method               = "DELETE"
    path                 = "/contacts/{{ .record.id }}"
    success_path         = "$.deleted"
    success_values       = ["true"]
    not_found_is_deleted = true
  }
}
