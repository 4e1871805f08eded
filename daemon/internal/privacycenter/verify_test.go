package privacycenter_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dsrhost/dsrhost/config"
	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/sdk"
)

func TestVerifyByCode(t *testing.T) {
	h := newHarness(t, func(pc *config.PrivacyCenter) { pc.Verification.Method = config.VerifyCode })
	page, m := h.submit("access", form("email", "grace@example.org", "id_phone", "+44 7700 900123", "id_customer_number", "C-991", "details", "Orders since 2019"))
	if len(m.To) != 1 || m.To[0] != "grace@example.org" || m.Subject != "Confirm your privacy request" {
		t.Errorf("verification email %+v", m)
	}
	c := code(t, m)
	wantStatus(t, "check your email", h.get(page), http.StatusOK, `<label for="code">Verification code</label>`)

	wrong := "000000"
	if c == wrong {
		wrong = "111111"
	}
	r := h.post(page, page, form("code", wrong))
	wantStatus(t, "wrong code", r, http.StatusBadRequest, "That code is not right")
	if !strings.Contains(r.body, "4 tries left") || !strings.Contains(r.body, `aria-invalid="true"`) {
		t.Errorf("wrong code page does not count down or mark the field:\n%s", r.body)
	}

	tok := h.token(page)
	r = h.postToken(tok, page, form("code", c))
	wantStatus(t, "right code", r, http.StatusOK, "Thank you: your request is confirmed.")
	id := reference(t, r)
	req, err := h.engine.Get(ctx(), id)
	if err != nil {
		t.Fatal(err)
	}
	if req.Stage != state.StageReview || req.Source != "privacy_center" || req.Type != sdk.RequestAccess ||
		req.Subject.Email != "grace@example.org" || req.Subject.Phone != "+44 7700 900123" ||
		req.Subject.Identifiers["customer_number"] != "C-991" || req.Details != "Orders since 2019" {
		t.Errorf("created request %+v", req)
	}
	confirm := h.mail()
	if !strings.Contains(confirm.Body, id) || !strings.Contains(link(t, confirm, "/privacy/status/"), h.srv.URL) {
		t.Errorf("confirmation email:\n%s", confirm.Body)
	}

	// Reused: refused, and no second request.
	wantStatus(t, "reused code", h.postToken(tok, page, form("code", c)), http.StatusGone, "already confirmed")
	list, _, err := h.engine.List(ctx(), engineFilterEmail("grace@example.org"), "", 10)
	if err != nil || len(list) != 1 {
		t.Errorf("requests for the address: %d (%v), want 1", len(list), err)
	}
}

func TestVerifyByLink(t *testing.T) {
	h := newHarness(t, nil)
	page, m := h.submit("deletion", form("email", "ada@example.com"))
	wantStatus(t, "check your email", h.get(page), http.StatusOK, "Open the link in the message")
	l := link(t, m, "/privacy/verify/")
	if !strings.HasPrefix(l, h.srv.URL+page+"?code=") {
		t.Fatalf("link %q does not lead to %s", l, page)
	}

	// Opening the link confirms nothing by itself (mail scanners open
	// links); the button does.
	r := h.get(l)
	wantStatus(t, "opened link", r, http.StatusOK, "Confirm my request")
	if list, _, _ := h.engine.List(ctx(), engineFilterEmail("ada@example.com"), "", 10); len(list) != 0 {
		t.Fatal("opening the link created the request")
	}
	// An altered secret is refused.
	wantStatus(t, "altered link", h.post(l+"x", page, form("code", strings.Split(l, "code=")[1]+"x")), http.StatusForbidden, "not valid")

	r = h.post(l, page, form("code", strings.Split(l, "code=")[1]))
	wantStatus(t, "confirmed", r, http.StatusOK, "Thank you")
	id := reference(t, r)
	if req, err := h.engine.Get(ctx(), id); err != nil || req.Type != sdk.RequestDeletion || req.Stage != state.StageReview {
		t.Errorf("request %+v (%v)", req, err)
	}
	wantStatus(t, "reused link", h.get(l), http.StatusGone, "already confirmed")
}

func TestCodeAttemptsAreLimited(t *testing.T) {
	h := newHarness(t, func(pc *config.PrivacyCenter) {
		pc.Verification.Method = config.VerifyCode
		pc.Verification.MaxAttempts = 2
	})
	page, m := h.submit("access", form("email", "eve@example.net"))
	c := code(t, m)
	wrong := "123456"
	if c == wrong {
		wrong = "654321"
	}
	wantStatus(t, "first wrong", h.post(page, page, form("code", wrong)), http.StatusBadRequest, "1 tries left")
	wantStatus(t, "second wrong", h.post(page, page, form("code", wrong)), http.StatusBadRequest, "last try")
	tok := h.token(page)
	wantStatus(t, "locked", h.postToken(tok, page, form("code", c)), http.StatusTooManyRequests, "Too many wrong codes")
	wantStatus(t, "right code after lock", h.postToken(tok, page, form("code", c)), http.StatusGone, "expired")
	wantStatus(t, "after lock", h.get(page), http.StatusGone, "expired")
	if list, _, _ := h.engine.List(ctx(), engineFilterEmail("eve@example.net"), "", 10); len(list) != 0 {
		t.Error("a locked submission created a request")
	}
}

func TestDuplicateIsLinkedToTheOpenRequest(t *testing.T) {
	h := newHarness(t, func(pc *config.PrivacyCenter) { pc.Verification.Method = config.VerifyCode })
	verify := func() string {
		page, m := h.submit("access", form("email", "ada@example.com"))
		r := h.post(page, page, form("code", code(t, m)))
		h.mail() // confirmation
		return reference(t, r)
	}
	first, second := verify(), verify()
	req, err := h.engine.Get(ctx(), second)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(req.SourceDetail, first) {
		t.Errorf("second request's source detail %q does not name the first %s", req.SourceDetail, first)
	}
	if req1, _ := h.engine.Get(ctx(), first); req1.SourceDetail != "" {
		t.Errorf("first request's source detail %q", req1.SourceDetail)
	}
}

func TestFormRefusals(t *testing.T) {
	h := newHarness(t, nil)
	tests := []struct {
		name  string
		form  map[string]string
		field string
		text  string
	}{
		{"no email", map[string]string{}, "email", "Enter your email address."},
		{"bad email", map[string]string{"email": "ada at example"}, "email", "name@example.com"},
		{"email with name", map[string]string{"email": "Ada <ada@example.com>"}, "email", "name@example.com"},
		{"long details", map[string]string{"email": "a@example.com", "details": strings.Repeat("x", 2001)}, "details", "at most 2000"},
		{"long identifier", map[string]string{"email": "a@example.com", "id_phone": strings.Repeat("1", 201)}, "id-phone", "at most 200"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := form()
			for k, v := range tt.form {
				f.Set(k, v)
			}
			r := h.post("/privacy/request/access", "/privacy/request/access", f)
			wantStatus(t, tt.name, r, http.StatusBadRequest, tt.text)
			if !strings.Contains(r.body, `id="`+tt.field+`"`) || !strings.Contains(r.body, `aria-invalid="true"`) {
				t.Errorf("the field %s is not marked invalid:\n%s", tt.field, r.body)
			}
		})
	}
	wantStatus(t, "type not offered", h.get("/privacy/request/do_not_sell"), http.StatusNotFound, "do not offer")
	select {
	case m := <-h.mails:
		t.Errorf("a refused form sent an email: %+v", m)
	case <-time.After(100 * time.Millisecond):
	}
}
