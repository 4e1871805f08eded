# Every block of the configuration schema, with every attribute set.

server {
  listen     = "127.0.0.1:8700"
  public_url = "https://privacy.example.com"
  tls {
    cert_file = "certs/server.pem"
    key_file  = "certs/server-key.pem"
  }
}

redis {
  url = "redis://127.0.0.1:6379/0"
}

encryption_key           = env("DSRHOST_TEST_ENCRYPTION_KEY")
previous_encryption_keys = ["AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE="]

admin_token "ops" {
  sha256 = "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08"
  role   = "operator"
}

admin_token "ci" {
  sha256 = "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752"
  role   = "viewer"
}

results_retention = "60d"

request_type "deletion" {
  deadline                  = "30d"
  auto_approve              = true
  require_deletion_approval = true
}

request_type "access" {
  deadline = "720h"
}

plugin "heap" {
  command = "bin/dsrhost-plugin-heap"
  args    = ["-log-level", "debug"]
  sha256  = "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"
}

integration "heap" {
  plugin            = "heap"
  category          = "Analytics"
  retry_interval    = "12h"
  max_attempts      = 10
  poll_interval     = "15m"
  max_wait          = "4380h"
  deletion_behavior = "complete_on_submit"
  depends_on        = ["crm"]
  settings {
    app_id  = "1234"
    api_key = env("DSRHOST_TEST_HEAP_API_KEY")
  }
}

integration "crm" {
  plugin = "genericrest"
  settings {
    base_url = "http://127.0.0.1:9000"
  }
}

integration "acme-support" {
  plugin = "directcontact"
  settings {
    to             = ["privacy@acme.example"]
    due_in         = "14d"
    on_no_response = "skip"
  }
}

smtp {
  host     = "smtp.example.com"
  port     = 465
  username = "privacy"
  password = env("DSRHOST_TEST_SMTP_PASSWORD")
  from     = "Privacy <privacy@example.com>"
  tls      = "tls"
}

reply_template "access" {
  subject = "Your data access request"
  body    = file("templates/access.txt")
}

reply_template "rejected" {
  subject = "Your privacy request"
  body    = trimspace(file("templates/rejected.txt"))
}

manual "paper-archive" {
  category      = "Physical records"
  request_types = ["deletion", "do_not_mail", "right_to_edit"]
  instructions  = "Shred the subject's paper file in room 4."
}
