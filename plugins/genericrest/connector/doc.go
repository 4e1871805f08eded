// Package connector is the genericrest connector: it connects any HTTP JSON
// API to dsrhost from an integration's settings block, without code. The
// binary dsrhost-plugin-genericrest (../main.go) only serves it.
//
// A synchronous CRM, looked up by email with cursor pagination and deleted
// record by record:
//
//	settings {
//	  base_url = "https://crm.example.com/v1"
//	  headers  = { "X-Api-Version" = "2024-01" }
//	  timeout  = "30s"
//	  auth {
//	    bearer { token = env("CRM_TOKEN") }
//	  }
//	  rate_limit {
//	    requests = 10
//	    per      = "1s"
//	  }
//	  test_request { path = "/me" }
//	  access {
//	    path         = "/contacts"
//	    query        = { email = "{{ .email }}" }
//	    records_path = "$.results[*]"
//	    record_kind  = "contact"
//	    identifiers  = { crm_contact_id = "$.id" }
//	    pagination {
//	      kind         = "cursor"
//	      cursor_path  = "$.paging.next.after"
//	      cursor_param = "after"
//	    }
//	  }
//	  deletion {
//	    mode = "per_record"
//	    path = "/contacts/{{ .record.id }}"
//	  }
//	}
//
// Templates are Go text/template over the subject: .email, .phone,
// .user_id, every further identifier by name (including those found by the
// integrations this one depends on), .request_id and .idempotency_key.
// Per-record deletion adds .record (the record's JSON object) and .record_id;
// async status and result requests add .job_id. Values are URL-escaped in
// paths, encoded as query parameters in query, and JSON-escaped in bodies
// (write "{{ .email }}" inside the JSON quotes). Configure parses every
// template and JSONPath (github.com/ohler55/ojg/jp), and refuses a name used
// where it cannot exist, such as .record in an access request, each with the
// path of its setting, so `dsrhost validate` points at the line.
//
// An async block turns the access or deletion request into the submission
// of a job: Access and Delete answer Pending with the job ids, and
// PollAccess and PollDelete send the status request until status_path finds
// one of done_values (then access fetches the records with the result
// request) or failed_values. Describe cannot depend on settings, so the
// connector describes itself as a Synchronous API that can access and
// delete; the daemon treats a Pending answer as asynchronous whatever the
// declared type. A deletion with mode = "whole_record" answers "Deletion
// done" instead of a count.
//
// Requests wait for rate_limit (golang.org/x/time/rate). A 429 is retried
// after its Retry-After while the waits of one request add up to no more
// than max_retry_wait; beyond that the job fails as rate_limited with the
// wait, for the daemon to retry then. Errors map 401 to auth, 403 to
// permission, 404 to not_found, 429 to rate_limited and 5xx to unavailable,
// with the status code and a remediation naming the endpoint as configured
// (GET /contacts), never the expanded URL, which holds personal data.
//
// Jobs are delivered at least once: the same idempotency key twice returns
// the first answer (a Pending handle or a deletion outcome) without sending
// the requests again, from a bounded in-memory map.
package connector
