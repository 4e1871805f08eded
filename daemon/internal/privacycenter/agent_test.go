package privacycenter_test

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime/multipart"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/dsrhost/dsrhost/config"
	"github.com/dsrhost/dsrhost/daemon/internal/privacycenter"
	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/daemon/internal/testredis"
)

// postAgent sends the agent form as a browser does (multipart, with the
// page's CSRF token); an empty permission sends no file.
func (h *harness) postAgent(fields map[string]string, permission []byte) response {
	h.t.Helper()
	tok := h.token("/privacy/agent/access")
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("csrf_token", tok)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	if permission != nil {
		fw, _ := mw.CreateFormFile("permission", "signed-permission.pdf")
		_, _ = fw.Write(permission)
	}
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, h.srv.URL+"/privacy/agent/access", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, err := h.client.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: string(b)}
}

func TestAuthorizedAgent(t *testing.T) {
	h := newHarness(t, func(pc *config.PrivacyCenter) { pc.Verification.Method = config.VerifyCode })
	page := h.get("/privacy/agent/access")
	for _, id := range regexp.MustCompile(`<(?:input|textarea) [^>]*id="([^"]+)"`).FindAllStringSubmatch(page.body, -1) {
		if !strings.Contains(page.body, `<label for="`+id[1]+`">`) {
			t.Errorf("agent form: #%s has no label", id[1])
		}
	}
	agent := map[string]string{"agent_name": "Rights Co", "agent_email": "agent@rights.example", "email": "grace@example.org"}
	wantStatus(t, "no permission", h.postAgent(agent, nil), http.StatusBadRequest, "Attach the permission")
	wantStatus(t, "agent is the subject", h.postAgent(map[string]string{"agent_name": "Grace", "agent_email": "grace@example.org", "email": "grace@example.org"}, []byte("%PDF")),
		http.StatusBadRequest, "ordinary form")

	permission := []byte("%PDF-1.4 signed-permission-bytes-55121")
	r := h.postAgent(agent, permission)
	wantStatus(t, "agent files", r, http.StatusOK, "We asked the person to confirm")

	// Both emails arrive: the subject's confirmation request naming the
	// agent, and the agent's receipt.
	var toSubject, toAgent string
	for range 2 {
		m := h.mail()
		switch m.To[0] {
		case "grace@example.org":
			toSubject = m.Body
		case "agent@rights.example":
			toAgent = m.Body
		}
	}
	if !strings.Contains(toSubject, "Rights Co (agent@rights.example)") || !strings.Contains(toAgent, "asked them by email to confirm") {
		t.Fatalf("emails:\nto the subject:\n%s\nto the agent:\n%s", toSubject, toAgent)
	}
	if dump := testredis.Dump(t, h.rdb); bytes.Contains(dump, permission) || bytes.Contains(dump, []byte("Rights Co")) {
		t.Error("the pending agent submission is stored in plaintext")
	}
	if list, _, _ := h.engine.List(ctx(), engineFilterEmail("grace@example.org"), "", 10); len(list) != 0 {
		t.Fatal("the request exists before the subject confirmed")
	}

	// The subject never saw the form, so even under code verification they
	// get a link, and confirm with its button.
	m := regexp.MustCompile(`(http://\S+/privacy/verify/[a-z2-7]{26})\?code=(\S+)`).FindStringSubmatch(toSubject)
	if m == nil {
		t.Fatalf("no verification link for the subject:\n%s", toSubject)
	}
	r = h.post(m[0], m[1], form("code", m[2]))
	id := reference(t, r)
	req, err := h.engine.Get(ctx(), id)
	if err != nil || req.Stage != state.StageReview || !strings.Contains(req.SourceDetail, "authorized agent Rights Co") {
		t.Fatalf("request %+v (%v)", req, err)
	}
	evs, _ := h.engine.History(ctx(), id)
	var got []byte
	for _, ev := range evs {
		if ev.Kind == privacycenter.EventAgent {
			got, _ = base64.StdEncoding.DecodeString(ev.Attributes["permission_base64"])
		}
	}
	if !bytes.Equal(got, permission) {
		t.Errorf("the permission in the history is %q", got)
	}
}
