entry "stripe" {
  title     = "Stripe"
  category  = "Payments"
  summary   = "Customers found by email address with the search API, each deleted."
  behaviour = "synchronous"
  docs      = "https://docs.stripe.com/api/customers/search"
  secrets = {
    secret_key = "A restricted key (rk_live_...) with Customers: Write, or a secret key."
  }
}

# Stripe API: customer search pages with next_page/page; DELETE answers
# {"deleted": true}.
settings {
  base_url = "https://api.stripe.com"
  auth {
    bearer {
      token = var.secret_key
    }
  }
  rate_limit {
    requests = 20
    per      = "1s"
  }
  test_request {
    path = "/v1/customers"
    query = {
      limit = "1"
    }
  }
  access {
    path = "/v1/customers/search"
    query = {
      query = "email:'{{ .email }}'"
      limit = "100"
    }
    records_path = "$.data[*]"
    record_kind  = "customer"
    identifiers = {
      stripe_customer_id = "$.id"
    }
    pagination {
      kind         = "cursor"
      cursor_path  = "$.next_page"
      cursor_param = "page"
    }
  }
  deletion {
    method               = "DELETE"
    path                 = "/v1/customers/{{ .record.id }}"
    success_path         = "$.deleted"
    success_values       = ["true"]
    not_found_is_deleted = true
  }
}
