entry "braze" {
  title     = "Braze"
  category  = "Marketing"
  summary   = "User profiles exported by email address and deleted by Braze id."
  behaviour = "synchronous"
  docs      = "https://www.braze.com/docs/api/endpoints/user_data/post_user_delete/"
  values = {
    rest_endpoint = "Your instance's REST endpoint host, such as rest.iad-01.braze.com (Settings > APIs and identifiers)."
  }
  secrets = {
    api_key = "A REST API key with the users.export.ids and users.delete permissions."
  }
}

# Braze REST API: both endpoints answer a JSON "message", "success" when
# the request worked.
settings {
  base_url = "https://${var.rest_endpoint}"
  auth {
    bearer {
      token = var.api_key
    }
  }
  rate_limit {
    requests = 4
    per      = "1s"
  }
  access {
    method         = "POST"
    path           = "/users/export/ids"
    body           = <<-JSON
      {"email_address": "{{ .email }}", "fields_to_export": ["braze_id", "external_id", "email", "first_name", "last_name", "phone", "country", "created_at"]}
    JSON
    records_path   = "$.users[*]"
    id_path        = "$.braze_id"
    record_kind    = "user"
    success_path   = "$.message"
    success_values = ["success"]
    identifiers = {
      braze_id = "$.braze_id"
    }
  }
  deletion {
    method         = "POST"
    path           = "/users/delete"
    body           = "{\"braze_ids\": [\"{{ .record.braze_id }}\"]}"
    success_path   = "$.message"
    success_values = ["success"]
  }
}
