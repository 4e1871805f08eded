entry "segment" {
  title     = "Segment"
  category  = "Analytics"
  summary   = "A workspace regulation suppressing and deleting everything Segment holds for the subject's user id."
  behaviour = "asynchronous, whole-record"
  docs      = "https://docs.segmentapis.com/tag/Deletion-and-Suppression"
  secrets = {
    token = "A Public API token (Settings > Workspace settings > Access management > Tokens) with the Workspace Owner role."
  }
}

# Segment Public API: POST /regulations answers a regulateId; GET
# /regulations/{id} reports overallStatus until FINISHED.
settings {
  base_url = "https://api.segmentapis.com"
  auth {
    bearer {
      token = var.token
    }
  }
  rate_limit {
    requests = 1
    per      = "1s"
  }
  test_request {
    path = "/"
  }
  deletion {
    mode   = "whole_record"
    method = "POST"
    path   = "/regulations"
    body   = <<-JSON
      {"regulationType": "SUPPRESS_WITH_DELETE", "subjectType": "USER_ID", "subjectIds": ["{{ .user_id }}"]}
    JSON
    async {
      job_id_path = "$.data.regulateId"
      status {
        path = "/regulations/{{ .job_id }}"
      }
      status_path   = "$.data.regulation.overallStatus"
      done_values   = ["FINISHED"]
      failed_values = ["FAILED", "INVALID", "NOT_SUPPORTED", "PARTIAL_SUCCESS"]
      poll_after    = "1h"
    }
  }
}
