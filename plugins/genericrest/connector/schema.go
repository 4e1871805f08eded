package connector

import "github.com/dsrhost/dsrhost/sdk"

// Schema is the settings schema of a genericrest integration. The daemon
// decodes the HCL settings block against it; Configure then checks what a
// schema cannot express (templates, JSONPaths, exactly one auth kind).
func Schema() sdk.Schema {
	return sdk.Schema{
		Attributes: []sdk.Attribute{
			{Name: "template", Type: sdk.TypeString,
				Description: "A catalogue entry, such as \"mailchimp\" (dsrhost integration catalog lists them): the entry supplies every request; give it values and secrets, and optionally rate_limit or base_url."},
			{Name: "values", Type: sdk.TypeMapOfString,
				Description: "Values a catalogue entry asks for, such as list_id or subdomain."},
			{Name: "secrets", Type: sdk.TypeMapOfString, Sensitive: true,
				Description: "Secrets a catalogue entry asks for (api_key, token), and the keys hmac_sha256 may use in templates."},
			{Name: "base_url", Type: sdk.TypeString,
				Description: "Base URL of the API, such as https://api.example.com/v1; every path is relative to it. Required unless template is set, where it replaces the entry's."},
			{Name: "headers", Type: sdk.TypeMapOfString,
				Description: "Headers sent with every request, such as Accept or an API version."},
			{Name: "timeout", Type: sdk.TypeDuration, Default: "30s",
				Description: "How long one HTTP request may take."},
			{Name: "max_retry_wait", Type: sdk.TypeDuration, Default: "60s",
				Description: "Longest Retry-After a job waits out after a 429; longer waits end the job as rate_limited, to be retried when the API allows."},
		},
		Blocks: []sdk.Block{
			authBlock(),
			{Name: "rate_limit", Nesting: sdk.NestingSingle, MaxItems: 1,
				Description: "Requests per period this integration may send; requests beyond it wait.",
				Schema: sdk.Schema{Attributes: []sdk.Attribute{
					{Name: "requests", Type: sdk.TypeNumber, Required: true, Description: "Requests allowed per period, also the largest burst."},
					{Name: "per", Type: sdk.TypeDuration, Required: true, Description: "The period, such as \"1s\" or \"1m\"."},
				}}},
			{Name: "test_request", Nesting: sdk.NestingSingle, MaxItems: 1,
				Description: "A cheap request, such as GET /me, that Configure sends to check the credentials. It runs without a subject, so its templates may not use identifiers.",
				Schema:      requestSchema("GET")},
			accessBlock(),
			deletionBlock(),
		},
	}
}

func authBlock() sdk.Block {
	single := func(name, desc string, attrs ...sdk.Attribute) sdk.Block {
		return sdk.Block{Name: name, Nesting: sdk.NestingSingle, MaxItems: 1, Description: desc,
			Schema: sdk.Schema{Attributes: attrs}}
	}
	return sdk.Block{Name: "auth", Nesting: sdk.NestingSingle, MaxItems: 1,
		Description: "How requests authenticate: exactly one of bearer, basic, header, query or oauth2.",
		Schema: sdk.Schema{Blocks: []sdk.Block{
			single("bearer", "Authorization: Bearer <token>.",
				sdk.Attribute{Name: "token", Type: sdk.TypeString, Required: true, Sensitive: true, Description: "The bearer token."}),
			single("basic", "HTTP basic authentication.",
				sdk.Attribute{Name: "username", Type: sdk.TypeString, Required: true, Sensitive: true, Description: "The user name; sensitive, since some APIs take the token here."},
				sdk.Attribute{Name: "password", Type: sdk.TypeString, Required: true, Sensitive: true, Description: "The password."}),
			single("header", "An API key sent in a header.",
				sdk.Attribute{Name: "name", Type: sdk.TypeString, Required: true, Description: "The header's name, such as X-Api-Key."},
				sdk.Attribute{Name: "value", Type: sdk.TypeString, Required: true, Sensitive: true, Description: "The API key."}),
			single("query", "An API key sent as a query parameter.",
				sdk.Attribute{Name: "name", Type: sdk.TypeString, Required: true, Description: "The parameter's name, such as api_key."},
				sdk.Attribute{Name: "value", Type: sdk.TypeString, Required: true, Sensitive: true, Description: "The API key."}),
			single("oauth2", "OAuth2: the client credentials grant, or the refresh token grant when refresh_token is set; tokens are cached until they expire.",
				sdk.Attribute{Name: "token_url", Type: sdk.TypeString, Required: true, Description: "The token endpoint, an absolute http(s) URL."},
				sdk.Attribute{Name: "client_id", Type: sdk.TypeString, Required: true, Description: "The client id."},
				sdk.Attribute{Name: "client_secret", Type: sdk.TypeString, Required: true, Sensitive: true, Description: "The client secret."},
				sdk.Attribute{Name: "scopes", Type: sdk.TypeListOfString, Description: "Scopes to request."},
				sdk.Attribute{Name: "token_params", Type: sdk.TypeMapOfString, Description: "Further token request parameters, such as audience (client credentials only)."},
				sdk.Attribute{Name: "refresh_token", Type: sdk.TypeString, Sensitive: true, Description: "A refresh token: access tokens are obtained with the refresh_token grant; a rotated refresh token is kept for the process's life."}),
		}},
	}
}

// requestSchema is one HTTP request: the attributes every request block shares.
func requestSchema(defaultMethod string) sdk.Schema {
	return sdk.Schema{Attributes: []sdk.Attribute{
		{Name: "method", Type: sdk.TypeString, Default: defaultMethod,
			Description: "GET, POST, PUT, PATCH or DELETE."},
		{Name: "path", Type: sdk.TypeString, Required: true,
			Description: "Path below base_url, a text/template over the subject's identifiers such as /contacts/{{ .user_id }}; values are URL-escaped."},
		{Name: "query", Type: sdk.TypeMapOfString,
			Description: "Query parameters; each value a text/template such as \"{{ .email }}\"."},
		{Name: "body", Type: sdk.TypeString,
			Description: "JSON body, a text/template; string values are JSON-escaped, so write \"{{ .email }}\" inside quotes, or {{ json .email }} without them."},
		{Name: "success_path", Type: sdk.TypeString,
			Description: "JSONPath to a field that says whether the request worked, for APIs that answer 2xx with an error in the body."},
		{Name: "success_values", Type: sdk.TypeListOfString,
			Description: "Values at success_path that mean success; any other value is a failure."},
		{Name: "failure_values", Type: sdk.TypeListOfString,
			Description: "Values at success_path that mean failure; with no success_values, any other value is a success."},
	}}
}

// stepBlock is a request sent before its block's own, in order.
func stepBlock() sdk.Block {
	s := withAttributes(requestSchema("GET"),
		sdk.Attribute{Name: "outputs", Type: sdk.TypeMapOfString,
			Description: "Values later requests read as {{ .outputs.<name> }}: name = JSONPath into this step's answer. A path that finds several values sends each later request that reads it once per value; none, not at all."})
	return sdk.Block{Name: "step", Nesting: sdk.NestingList,
		Description: "A request sent before the block's own, in order; per record in per-record deletion.", Schema: s}
}

func withAttributes(s sdk.Schema, attrs ...sdk.Attribute) sdk.Schema {
	s.Attributes = append(s.Attributes, attrs...)
	return s
}

func accessBlock() sdk.Block {
	s := withAttributes(requestSchema("GET"),
		sdk.Attribute{Name: "records_path", Type: sdk.TypeString, Required: true,
			Description: "JSONPath to the records in each response, such as $.data[*]; an array found there is taken element by element."},
		sdk.Attribute{Name: "id_path", Type: sdk.TypeString, Default: "$.id",
			Description: "JSONPath, relative to a record, to the record's id."},
		sdk.Attribute{Name: "record_kind", Type: sdk.TypeString, Default: "record",
			Description: "What a record is, such as contact; shown with the results."},
		sdk.Attribute{Name: "identifiers", Type: sdk.TypeMapOfString,
			Description: "Identifiers passed to integrations that depend on this one: name = JSONPath relative to a record, such as user_id = \"$.id\"."},
		sdk.Attribute{Name: "not_found_is_empty", Type: sdk.TypeBool, Default: false,
			Description: "Treat a 404 answer as no records, for APIs that look a subject up by path."},
	)
	s.Blocks = []sdk.Block{stepBlock(), paginationBlock(), asyncBlock(true)}
	return sdk.Block{Name: "access", Nesting: sdk.NestingSingle, MaxItems: 1, Schema: s,
		Description: "How to find a subject's records."}
}

func paginationBlock() sdk.Block {
	return sdk.Block{Name: "pagination", Nesting: sdk.NestingSingle, MaxItems: 1,
		Description: "How to fetch the next page of records.",
		Schema: sdk.Schema{Attributes: []sdk.Attribute{
			{Name: "kind", Type: sdk.TypeString, Required: true,
				Description: "offset, link_header (RFC 8288 rel=\"next\"), body_link or cursor."},
			{Name: "limit", Type: sdk.TypeNumber, Description: "offset: page size (default 100)."},
			{Name: "offset_param", Type: sdk.TypeString, Description: "offset: the offset parameter (default offset)."},
			{Name: "limit_param", Type: sdk.TypeString, Description: "offset: the page size parameter (default limit)."},
			{Name: "next_path", Type: sdk.TypeString, Description: "body_link: JSONPath to the next page's URL."},
			{Name: "cursor_path", Type: sdk.TypeString, Description: "cursor: JSONPath to the next cursor; none ends the pages, a cursor seen before is an error."},
			{Name: "cursor_param", Type: sdk.TypeString, Description: "cursor: the query parameter that carries the cursor."},
			{Name: "cursor_body_path", Type: sdk.TypeString, Description: "cursor: JSONPath in the request body where the cursor goes, such as $.pagination.starting_after, for APIs that page a POST search."},
			{Name: "max_pages", Type: sdk.TypeNumber, Default: 1000, Description: "Stop with an error after this many pages."},
		}}}
}

func asyncBlock(access bool) sdk.Block {
	s := sdk.Schema{
		Attributes: []sdk.Attribute{
			{Name: "job_id_path", Type: sdk.TypeString, Required: true,
				Description: "JSONPath to the job id in the submit response."},
			{Name: "status_path", Type: sdk.TypeString, Required: true,
				Description: "JSONPath to the job's state in the status response."},
			{Name: "done_values", Type: sdk.TypeListOfString, Required: true,
				Description: "States that mean the job finished."},
			{Name: "failed_values", Type: sdk.TypeListOfString,
				Description: "States that mean the job failed; any other state is still running."},
			{Name: "poll_after", Type: sdk.TypeDuration,
				Description: "Suggested wait between polls; the daemon bounds it by poll_interval."},
		},
		Blocks: []sdk.Block{
			{Name: "status", Nesting: sdk.NestingSingle, MinItems: 1, MaxItems: 1, Schema: requestSchema("GET"),
				Description: "The status request; its templates may use {{ .job_id }}."},
		},
	}
	desc := "The API accepts the deletion and finishes later: the request above submits the job; the daemon polls its status."
	if access {
		s.Blocks = append(s.Blocks, sdk.Block{Name: "result", Nesting: sdk.NestingSingle, MaxItems: 1, Schema: requestSchema("GET"),
			Description: "The request that fetches the records once the job is done, paged and read with records_path; without it the records are read from the status response."})
		desc = "The API accepts the export and finishes later: the request above submits the job; the daemon polls its status."
	}
	return sdk.Block{Name: "async", Nesting: sdk.NestingSingle, MaxItems: 1, Schema: s, Description: desc}
}

func deletionBlock() sdk.Block {
	s := withAttributes(requestSchema("DELETE"),
		sdk.Attribute{Name: "mode", Type: sdk.TypeString, Default: "per_record",
			Description: "per_record: one request per record found by access, templates may use {{ .record.<field> }} and {{ .record_id }} (\"# records deleted\"); whole_record: one request by identity (\"Deletion done\")."},
		sdk.Attribute{Name: "not_found_is_deleted", Type: sdk.TypeBool, Default: false,
			Description: "Count a 404 answer as deleted, for APIs that answer 404 for a record an earlier attempt deleted."},
	)
	s.Blocks = []sdk.Block{stepBlock(), asyncBlock(false)}
	return sdk.Block{Name: "deletion", Nesting: sdk.NestingSingle, MaxItems: 1, Schema: s,
		Description: "How to delete a subject's data."}
}
