entry "klaviyo" {
  title     = "Klaviyo"
  category  = "Marketing"
  summary   = "Profiles found by email address; deletion is a data privacy deletion job Klaviyo finishes on its own, within days."
  behaviour = "synchronous access, whole-record deletion"
  docs      = "https://developers.klaviyo.com/en/reference/request_profile_deletion"
  secrets = {
    api_key = "A private API key (pk_...) with the profiles:read, data-privacy:write and accounts:read scopes."
  }
}

# Klaviyo API revision 2024-10-15: JSON:API documents, cursor links in
# links.next, deletion by POST /data-privacy-deletion-jobs/ answered 202.
settings {
  base_url = "https://a.klaviyo.com/api"
  headers = {
    revision = "2024-10-15"
  }
  auth {
    header {
      name  = "Authorization"
      value = "Klaviyo-API-Key ${var.api_key}"
    }
  }
  rate_limit {
    requests = 3
    per      = "1s"
  }
  test_request {
    path = "/accounts/"
  }
  access {
    path = "/profiles/"
    query = {
      filter = "equals(email,\"{{ .email }}\")"
    }
    records_path = "$.data[*]"
    record_kind  = "profile"
    pagination {
      kind      = "body_link"
      next_path = "$.links.next"
    }
  }
  deletion {
    mode   = "whole_record"
    method = "POST"
    path   = "/data-privacy-deletion-jobs/"
    body   = <<-JSON
      {"data": {"type": "data-privacy-deletion-job", "attributes": {"profile": {"data": {"type": "profile", "attributes": {"email": "{{ .email }}"}}}}}}
    JSON
  }
}
