entry "mixpanel" {
  title     = "Mixpanel"
  category  = "Analytics"
  summary   = "A GDPR deletion task removing the events and profile of the subject's distinct id (user id)."
  behaviour = "asynchronous, whole-record"
  docs      = "https://developer.mixpanel.com/reference/gdpr-api"
  values = {
    project_token = "The project token (Project settings > Overview)."
  }
  secrets = {
    oauth_token = "The GDPR API OAuth token of a project owner or admin (Profile & Preferences > Data & Privacy)."
  }
}

# Mixpanel GDPR API v3: a deletion task answers results.task_id; its
# status is in results.status. One request a second per project.
settings {
  base_url = "https://mixpanel.com/api/app"
  auth {
    bearer {
      token = var.oauth_token
    }
  }
  rate_limit {
    requests = 1
    per      = "1s"
  }
  deletion {
    mode   = "whole_record"
    method = "POST"
    path   = "/data-deletions/v3.0/"
    query = {
      token = "${var.project_token}"
    }
    body           = "{\"distinct_ids\": [\"{{ .user_id }}\"], \"compliance_type\": \"GDPR\"}"
    success_path   = "$.status"
    success_values = ["ok"]
    async {
      job_id_path = "$.results.task_id"
      status {
        path = "/data-deletions/v3.0/{{ .job_id }}"
        query = {
          token = "${var.project_token}"
        }
      }
      status_path   = "$.results.status"
      done_values   = ["SUCCESS"]
      failed_values = ["FAILURE", "REVOKED", "NOT_FOUND"]
      poll_after    = "1h"
    }
  }
}
