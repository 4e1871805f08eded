server {
  listen = "127.0.0.1:0"
}
redis {
  url = "redis://127.0.0.1:1/0"
}
encryption_key = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="

# GraphQL over POST: the query and its variables are the JSON body; the
# cursor goes into variables.after; GraphQL errors arrive with status 200,
# so success_path reads the mutation's payload: no customerId is a failure.
integration "shop" {
  plugin = "genericrest"
  settings {
    base_url = "https://acme.myshopify.com/admin/api/2024-10"
    auth {
      header {
        name  = "X-Shopify-Access-Token"
        value = "shpat_example"
      }
    }
    access {
      method       = "POST"
      path         = "/graphql.json"
      body         = <<-JSON
        {"query": "query($q: String!, $after: String) { customers(first: 50, query: $q, after: $after) { nodes { id email firstName lastName } pageInfo { hasNextPage endCursor } } }",
         "variables": {"q": {{ printf "email:%s" .email | json }}, "after": null}}
      JSON
      records_path = "$.data.customers.nodes[*]"
      record_kind  = "customer"
      pagination {
        kind             = "cursor"
        cursor_path      = "$.data[?(@.pageInfo.hasNextPage == true)].pageInfo.endCursor"
        cursor_body_path = "$.variables.after"
      }
    }
    deletion {
      method         = "POST"
      path           = "/graphql.json"
      body           = <<-JSON
        {"query": "mutation($id: ID!) { customerRequestDataErasure(customerId: $id) { customerId userErrors { field message } } }",
         "variables": {"id": {{ json .record.id }}}}
      JSON
      success_path   = "$.data.customerRequestDataErasure.customerId"
      failure_values = [""]
    }
  }
}

# Two steps, values passed on, and template functions.
integration "helpdesk" {
  plugin = "genericrest"
  settings {
    base_url = "https://helpdesk.example.com/api"
    secrets  = { pepper = "s3cret" }
    auth {
      oauth2 {
        token_url     = "https://helpdesk.example.com/oauth/token"
        client_id     = "dsrhost"
        client_secret = "secret"
        refresh_token = "refresh"
      }
    }
    access {
      step {
        path    = "/lookup/{{ .email | lower | trim | hmac_sha256 \"pepper\" }}"
        outputs = { account = "$.accounts[*].id" }
      }
      path         = "/accounts/{{ .outputs.account }}/tickets"
      records_path = "$.tickets[*]"
      identifiers  = { helpdesk_account = "$.account_id" }
    }
    deletion {
      step {
        method  = "POST"
        path    = "/accounts/{{ .record.account_id }}/anonymise"
        body    = "{\"reason\": {{ json .request_id }}, \"by\": \"{{ .email | sha256 }}\"}"
        outputs = { ticket = "$.ticket.id" }
      }
      method         = "DELETE"
      path           = "/tickets/{{ .outputs.ticket }}"
      success_path   = "$.status"
      success_values = ["deleted"]
    }
  }
}
