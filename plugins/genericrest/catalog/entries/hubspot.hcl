entry "hubspot" {
  title     = "HubSpot"
  category  = "CRM"
  summary   = "CRM contacts found by email address, each deleted with HubSpot's GDPR deletion."
  behaviour = "synchronous"
  docs      = "https://developers.hubspot.com/docs/api/crm/contacts"
  secrets = {
    access_token = "A private app's access token with the crm.objects.contacts.read and crm.objects.contacts.write scopes."
  }
}

# HubSpot CRM API v3: the search pages with "after" in the POST body;
# gdpr-delete answers 204.
settings {
  base_url = "https://api.hubapi.com"
  auth {
    bearer {
      token = var.access_token
    }
  }
  rate_limit {
    requests = 5
    per      = "1s"
  }
  test_request {
    path = "/crm/v3/objects/contacts"
    query = {
      limit = "1"
    }
  }
  access {
    method       = "POST"
    path         = "/crm/v3/objects/contacts/search"
    body         = <<-JSON
      {"filterGroups": [{"filters": [{"propertyName": "email", "operator": "EQ", "value": "{{ .email }}"}]}], "properties": ["email", "firstname", "lastname", "phone", "company"], "limit": 100}
    JSON
    records_path = "$.results[*]"
    record_kind  = "contact"
    identifiers = {
      hubspot_contact_id = "$.id"
    }
    pagination {
      kind             = "cursor"
      cursor_path      = "$.paging.next.after"
      cursor_body_path = "$.after"
    }
  }
  deletion {
    method               = "POST"
    path                 = "/crm/v3/objects/contacts/gdpr-delete"
    body                 = "{\"objectId\": \"{{ .record.id }}\"}"
    not_found_is_deleted = true
  }
}
