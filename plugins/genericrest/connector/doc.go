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
// async status and result requests add .job_id; requests after a step add
// .outputs.<name>. Functions (funcs.go: lower, upper, trim, md5, sha1,
// sha256, hmac_sha256 with a key from settings.secrets, base64, urlquery,
// json, default) see raw values; only what an action prints is escaped:
// URL-escaped in paths, encoded as query parameters in query, JSON-escaped in
// bodies (write "{{ .email }}" inside the JSON quotes, or {{ json .email }}
// without them). Configure parses every template and JSONPath
// (github.com/ohler55/ojg/jp), and refuses a name used where it cannot
// exist (.record in an access request, an output no earlier step provides)
// and a function called with the wrong arguments, each with the path of its
// setting, so `dsrhost validate` points at the line.
//
// Step blocks (steps.go) are requests sent in order before their block's
// own, per record in per-record deletion; their outputs feed later
// templates. A value with several entries (an output, or an identifier an
// earlier integration found on several records, passed as
// sdk.JoinIdentifierValues writes it) sends each request reading it once
// per value (fanout.go). success_path (success.go) fails a 2xx answer whose
// body reports an error. A catalogue entry (package catalog, catalogue.go)
// supplies all of this from a name, with the admin's values and secrets.
//
// The connector never reports more than was done: a cursor or next link the
// API repeats is an error, not the last page, as is reaching max_pages; a
// job in one of failed_values fails at once instead of being polled again.
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
