package connector

// settings mirrors Schema as the daemon sends it: a JSON object with
// defaults filled in. Optional blocks are pointers, absent when nil.
type settings struct {
	Template     string            `json:"template"`
	Values       map[string]string `json:"values"`
	Secrets      map[string]string `json:"secrets"`
	BaseURL      string            `json:"base_url"`
	Headers      map[string]string `json:"headers"`
	Timeout      string            `json:"timeout"`
	MaxRetryWait string            `json:"max_retry_wait"`
	Auth         *authSettings     `json:"auth"`
	RateLimit    *rateLimitSetting `json:"rate_limit"`
	TestRequest  *requestSettings  `json:"test_request"`
	Access       *accessSettings   `json:"access"`
	Deletion     *deletionSettings `json:"deletion"`
}

type authSettings struct {
	Bearer *struct {
		Token string `json:"token"`
	} `json:"bearer"`
	Basic *struct {
		Username string `json:"username"`
		Password string `json:"password"`
	} `json:"basic"`
	Header *keySettings    `json:"header"`
	Query  *keySettings    `json:"query"`
	OAuth2 *oauth2Settings `json:"oauth2"`
}

type keySettings struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type oauth2Settings struct {
	TokenURL     string            `json:"token_url"`
	ClientID     string            `json:"client_id"`
	ClientSecret string            `json:"client_secret"`
	Scopes       []string          `json:"scopes"`
	TokenParams  map[string]string `json:"token_params"`
	RefreshToken string            `json:"refresh_token"`
}

type rateLimitSetting struct {
	Requests *float64 `json:"requests"`
	Per      string   `json:"per"`
}

type requestSettings struct {
	Method        string            `json:"method"`
	Path          string            `json:"path"`
	Query         map[string]string `json:"query"`
	Body          string            `json:"body"`
	SuccessPath   string            `json:"success_path"`
	SuccessValues []string          `json:"success_values"`
	FailureValues []string          `json:"failure_values"`
}

// stepSettings is one step block: a request sent before the block's own,
// whose outputs later requests read as {{ .outputs.<name> }}.
type stepSettings struct {
	requestSettings
	Outputs map[string]string `json:"outputs"`
}

type accessSettings struct {
	requestSettings
	RecordsPath     string              `json:"records_path"`
	IDPath          string              `json:"id_path"`
	RecordKind      string              `json:"record_kind"`
	Identifiers     map[string]string   `json:"identifiers"`
	NotFoundIsEmpty bool                `json:"not_found_is_empty"`
	Pagination      *paginationSettings `json:"pagination"`
	Async           *asyncSettings      `json:"async"`
	Steps           []stepSettings      `json:"step"`
}

type paginationSettings struct {
	Kind        string   `json:"kind"`
	Limit       *float64 `json:"limit"`
	OffsetParam string   `json:"offset_param"`
	LimitParam  string   `json:"limit_param"`
	NextPath    string   `json:"next_path"`
	CursorPath  string   `json:"cursor_path"`
	CursorParam string   `json:"cursor_param"`
	CursorBody  string   `json:"cursor_body_path"`
	MaxPages    *float64 `json:"max_pages"`
}

type asyncSettings struct {
	JobIDPath    string           `json:"job_id_path"`
	StatusPath   string           `json:"status_path"`
	DoneValues   []string         `json:"done_values"`
	FailedValues []string         `json:"failed_values"`
	PollAfter    string           `json:"poll_after"`
	Status       *requestSettings `json:"status"`
	Result       *requestSettings `json:"result"`
}

type deletionSettings struct {
	requestSettings
	Mode              string         `json:"mode"`
	NotFoundIsDeleted bool           `json:"not_found_is_deleted"`
	Async             *asyncSettings `json:"async"`
	Steps             []stepSettings `json:"step"`
}
