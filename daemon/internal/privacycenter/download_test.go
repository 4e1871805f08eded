package privacycenter_test

import (
	"archive/zip"
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dsrhost/dsrhost/config"
	"github.com/dsrhost/dsrhost/daemon/internal/engine"
	"github.com/dsrhost/dsrhost/daemon/internal/privacycenter"
	"github.com/dsrhost/dsrhost/daemon/internal/state"
)

// verified files and verifies a request of rt, returning its id and the
// status link of the confirmation email.
func (h *harness) verified(rt, email string) (string, string) {
	h.t.Helper()
	page, m := h.submit(rt, form("email", email))
	r := h.post(page, page, form("code", code(h.t, m)))
	id := reference(h.t, r)
	return id, link(h.t, h.mail(), "/privacy/status/")
}

// closeWithReply approves a request (it has no integrations, so it goes
// straight to Reply) and closes it with the reply the daemon would send.
func (h *harness) closeWithReply(id string) engine.Reply {
	h.t.Helper()
	if _, err := h.engine.Approve(ctx(), id, "ops", nil); err != nil {
		h.t.Fatal(err)
	}
	req, err := h.engine.Get(ctx(), id)
	if err != nil || req.Stage != state.StageReply {
		h.t.Fatalf("request in %v (%v), want Reply", req.Stage, err)
	}
	links, err := h.center.ReplyLinks(req)
	if err != nil {
		h.t.Fatal(err)
	}
	rep, err := h.mailer.ComposeWithLinks(ctx(), req, string(req.Type), engine.Reply{}, links)
	if err != nil {
		h.t.Fatal(err)
	}
	if _, err := h.engine.Close(ctx(), id, "ops", rep); err != nil {
		h.t.Fatal(err)
	}
	return rep
}

func downloadLink(t *testing.T, rep engine.Reply) string {
	t.Helper()
	for _, w := range strings.Fields(rep.Body) {
		if strings.Contains(w, "/privacy/download/") {
			return w
		}
	}
	t.Fatalf("no download link in the reply:\n%s", rep.Body)
	return ""
}

func TestStatusPageFollowsTheRequest(t *testing.T) {
	h := newHarness(t, func(pc *config.PrivacyCenter) { pc.Verification.Method = config.VerifyCode })
	id, status := h.verified("deletion", "ada@example.com")
	r := h.get(status)
	wantStatus(t, "in review", r, http.StatusOK, `<dd id="stage">Received</dd>`)
	if !strings.Contains(r.body, id) || strings.Contains(r.body, "ada@example.com") {
		t.Errorf("status page shows the reference and no address? \n%s", r.body)
	}
	rep := h.closeWithReply(id)
	r = h.get(status)
	wantStatus(t, "closed", r, http.StatusOK, `<dd id="stage">Complete</dd>`)
	if !strings.Contains(r.body, "we have deleted the personal data we held about you") || !strings.Contains(r.body, rep.Subject) {
		t.Errorf("the status page does not show the reply:\n%s", r.body)
	}
	wantStatus(t, "forged", h.get(status[:len(status)-3]+"abc"), http.StatusForbidden, "not valid")
	if strings.Contains(rep.Body, "/privacy/download/") {
		t.Errorf("a deletion reply carries a download link:\n%s", rep.Body)
	}
}

func TestDownloadLinks(t *testing.T) {
	h := newHarness(t, func(pc *config.PrivacyCenter) {
		pc.Verification.Method = config.VerifyCode
		pc.Download.MaxUses = 2
	})
	id, _ := h.verified("access", "ada@example.com")
	rep := h.closeWithReply(id)
	dl := downloadLink(t, rep)

	page := h.get(dl)
	wantStatus(t, "download page", page, http.StatusOK, "for 2 more downloads")
	for i := range 2 {
		r := h.post(dl, dl, form())
		if r.status != http.StatusOK || r.header.Get("Content-Type") != "application/zip" {
			t.Fatalf("download %d: status %d %q:\n%s", i+1, r.status, r.header.Get("Content-Type"), r.body)
		}
		zr, err := zip.NewReader(bytes.NewReader([]byte(r.body)), int64(len(r.body)))
		if err != nil {
			t.Fatalf("download %d is not a zip: %v", i+1, err)
		}
		names := map[string]bool{}
		for _, f := range zr.File {
			names[f.Name] = true
		}
		if !names["index.txt"] || !names["manifest.json"] {
			t.Errorf("download %d holds %v", i+1, names)
		}
	}
	wantStatus(t, "over the limit (page)", h.get(dl), http.StatusGone, "used as many times")
	wantStatus(t, "over the limit (post)", h.postToken(h.token("/privacy/request/access"), dl, form()), http.StatusGone, "used as many times")

	forged := dl[:len(dl)-4] + "AAAA"
	wantStatus(t, "forged", h.get(forged), http.StatusForbidden, "not valid")
	wantStatus(t, "forged post", h.postToken(h.token("/privacy/request/access"), forged, form()), http.StatusForbidden, "not valid")

	evs, err := h.engine.History(ctx(), id)
	if err != nil {
		t.Fatal(err)
	}
	var downloads []string
	for _, ev := range evs {
		if ev.Kind == engine.EventDownload {
			downloads = append(downloads, ev.Attributes["use"]+"/"+ev.Attributes["max_uses"]+" by "+ev.Actor)
		}
	}
	if strings.Join(downloads, ",") != "1/2 by privacy-center,2/2 by privacy-center" {
		t.Errorf("downloads in history: %q", downloads)
	}
}

func TestDownloadLinkExpires(t *testing.T) {
	h := newHarness(t, func(pc *config.PrivacyCenter) { pc.Verification.Method = config.VerifyCode })
	id, _ := h.verified("access", "ada@example.com")
	dl := downloadLink(t, h.closeWithReply(id))
	wantStatus(t, "fresh", h.get(dl), http.StatusOK, "Download my data")
	h.clock.Advance(7*24*time.Hour + time.Second)
	wantStatus(t, "after 7 days", h.get(dl), http.StatusGone, "no longer valid")
}

func TestDownloadAfterRetentionSaysPurged(t *testing.T) {
	h := newHarness(t, func(pc *config.PrivacyCenter) {
		pc.Verification.Method = config.VerifyCode
		pc.Download.TTL.Duration = 60 * 24 * time.Hour
	})
	id, status := h.verified("access", "ada@example.com")
	dl := downloadLink(t, h.closeWithReply(id))
	h.clock.Advance(30*24*time.Hour + time.Minute)
	wantStatus(t, "after retention", h.get(dl), http.StatusGone, "no longer available")
	wantStatus(t, "status after retention", h.get(status), http.StatusOK, "Complete")
}

func TestOnlyPrivacyCenterRequestsGetLinks(t *testing.T) {
	h := newHarness(t, nil)
	req, err := h.engine.Create(ctx(), engine.CreateInput{Type: "access", Subject: subject("ada@example.com")})
	if err != nil {
		t.Fatal(err)
	}
	links, err := h.center.ReplyLinks(req)
	if err != nil || links.DownloadURL != "" || links.StatusURL != "" {
		t.Errorf("links for a manual request: %+v (%v)", links, err)
	}
	if req.Source == privacycenter.Source {
		t.Fatalf("source %q", req.Source)
	}
}
