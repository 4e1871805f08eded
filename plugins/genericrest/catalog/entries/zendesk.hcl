entry "zendesk" {
  title     = "Zendesk Support"
  category  = "Customer support"
  summary   = "End users found by email address, deleted and then permanently deleted (the two steps Zendesk requires)."
  behaviour = "synchronous"
  docs      = "https://developer.zendesk.com/api-reference/ticketing/users/users/"
  values = {
    subdomain = "Your Zendesk subdomain: acme for acme.zendesk.com."
    email     = "The email address of the admin whose API token this is."
  }
  secrets = {
    api_token = "An API token from Admin Center > Apps and integrations > Zendesk API."
  }
}

# Zendesk Support API v2: search by email, offset pages linked by
# next_page; permanent deletion is DELETE /users/{id} (soft) then
# DELETE /deleted_users/{id}.
settings {
  base_url = "https://${var.subdomain}.zendesk.com/api/v2"
  auth {
    basic {
      username = "${var.email}/token"
      password = var.api_token
    }
  }
  rate_limit {
    requests = 10
    per      = "1s"
  }
  test_request {
    path = "/users/me"
  }
  access {
    path = "/users/search"
    query = {
      query = "email:{{ .email }}"
    }
    records_path = "$.users[*]"
    record_kind  = "user"
    identifiers = {
      zendesk_user_id = "$.id"
    }
    pagination {
      kind      = "body_link"
      next_path = "$.next_page"
    }
  }
  deletion {
    # Step 1 soft-deletes; a retry after it finds the user gone (404) and
    # goes on to the permanent deletion.
    step {
      method = "DELETE"
      path   = "/users/{{ .record.id }}"
    }
    method               = "DELETE"
    path                 = "/deleted_users/{{ .record.id }}"
    not_found_is_deleted = true
  }
}
