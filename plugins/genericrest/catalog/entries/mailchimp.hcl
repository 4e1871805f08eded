entry "mailchimp" {
  title     = "Mailchimp"
  category  = "Marketing"
  summary   = "The subject's member record in one audience, found by email address and permanently deleted."
  behaviour = "synchronous"
  docs      = "https://mailchimp.com/developer/marketing/api/list-members/"
  values = {
    dc      = "Your account's data center: the end of the API key after the dash, such as us6."
    list_id = "The audience id, from Audience > Settings > Audience name and defaults."
  }
  secrets = {
    api_key = "An API key from Profile > Extras > API keys."
  }
}

# Mailchimp Marketing API 3.0: members are addressed by the MD5 hash of the
# lower-cased email address; basic auth takes any user name and the key.
settings {
  base_url = "https://${var.dc}.api.mailchimp.com/3.0"
  auth {
    basic {
      username = "dsrhost"
      password = var.api_key
    }
  }
  rate_limit {
    requests = 10
    per      = "1s"
  }
  test_request {
    path = "/ping"
  }
  access {
    path               = "/lists/${var.list_id}/members/{{ .email | lower | md5 }}"
    records_path       = "$"
    record_kind        = "member"
    not_found_is_empty = true
  }
  deletion {
    method               = "POST"
    path                 = "/lists/${var.list_id}/members/{{ .record.id }}/actions/delete-permanent"
    not_found_is_deleted = true
  }
}
