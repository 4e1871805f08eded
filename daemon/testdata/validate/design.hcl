# The configuration of ../shared/DESIGN.md as written there, but for the
# plugin's checksum (the contract shows "...").

server {
  listen     = "127.0.0.1:8700"
  public_url = "https://privacy.example.com"   # base of direct-contact links
  # tls { cert_file = "..." key_file = "..." }
}

redis {
  url = "redis://127.0.0.1:6379/0"             # sentinel and cluster forms too
}

encryption_key = env("DSRHOST_ENCRYPTION_KEY")  # 32 random bytes, base64 (openssl rand -base64 32)

admin_token "ops" {
  sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
  role   = "operator"                           # viewer | operator | admin
}

results_retention = "30d"                        # access results kept after close

request_type "deletion" {
  deadline                  = "45d"
  auto_approve              = false              # true: skip Review
  require_deletion_approval = false
}

plugin "heap" {
  command = "bin/dsrhost-plugin-heap"
}

integration "heap" {
  plugin            = "heap"
  category          = "Analytics"                # data inventory grouping
  retry_interval    = "24h"
  max_attempts      = 30
  poll_interval     = "1h"                      # async polls, bounded by max_wait
  max_wait          = "4380h"                   # six months
  deletion_behavior = "wait_for_completion"     # or "complete_on_submit"
  # depends_on      = ["crm"]                   # run after these, with what they found
  settings {                                    # schema comes from the plugin's Describe
    app_id  = "1234"
    api_key = env("HEAP_API_KEY")
  }
}

integration "acme-support" {
  plugin = "directcontact"
  settings {
    to             = ["privacy@acme.example"]
    due_in         = "14d"
    on_no_response = "skip"                      # or "block"
  }
}

smtp {                                          # replies to subjects
  host     = "smtp.example.com"
  port     = 587
  username = "privacy"
  password = env("SMTP_PASSWORD")
  from     = "privacy@example.com"
}

reply_template "access" {                       # one per request type, and "rejected"
  subject = "Your data access request"
  body    = file("templates/access.txt")        # text/template over the request
}

manual "paper-archive" {
  category      = "Physical records"
  request_types = ["deletion", "do_not_mail", "right_to_edit"]
  instructions  = "Shred the subject's paper file in room 4."
}
