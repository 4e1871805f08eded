package connector

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/dsrhost/dsrhost/plugins/directcontact/internal/smtptest"
	"github.com/dsrhost/dsrhost/sdk"
)

func TestAccessEmailsTheProcessor(t *testing.T) {
	sink := smtptest.Start(t, smtptest.Options{})
	h := newHarness()
	h.mustConfigure(t, baseSettings(sink, nil))

	p := h.access(t, testJob("job-1", sdk.RequestAccess))

	msgs := sink.Messages()
	if len(msgs) != 1 {
		t.Fatalf("server received %d messages, want 1", len(msgs))
	}
	m := msgs[0]
	wantRcpt := []string{"dpo@vendor.example", "privacy@vendor.example", "privacy@example.com"}
	if !slices.Equal(m.To, wantRcpt) {
		t.Errorf("envelope recipients = %q, want %q", m.To, wantRcpt)
	}
	if m.From != "privacy@example.com" {
		t.Errorf("envelope sender = %q, want privacy@example.com", m.From)
	}
	mail := smtptest.Parse(t, m)
	if got := mail.Header.Get("To"); !strings.Contains(got, "dpo@vendor.example") || !strings.Contains(got, "privacy@vendor.example") {
		t.Errorf("To header = %q, want both processor addresses", got)
	}
	if got := mail.Header.Get("Cc"); !strings.Contains(got, "privacy@example.com") {
		t.Errorf("Cc header = %q, want privacy@example.com", got)
	}
	due := formatDue(t0.Add(14 * day))
	wantSubject := "Data access request 01JBQ7ZKX3M4N5P6Q7R8S9T0VW: please respond by " + due
	if mail.Subject != wantSubject {
		t.Errorf("subject = %q, want %q", mail.Subject, wantSubject)
	}
	for _, want := range []string{
		responseURL, due, "Request type: access", "single-use",
		subjectEmail, subjectPhone, subjectUserID, "crm_id: " + subjectCRMID,
		AccessFilesUploaded.Text(), AccessNoData.Text(),
	} {
		if !strings.Contains(mail.Body, want) {
			t.Errorf("body lacks %q:\n%s", want, mail.Body)
		}
	}
	if strings.Contains(mail.Body, "Reminder") || strings.Contains(mail.Body, "reminder") {
		t.Errorf("first email reads as a reminder:\n%s", mail.Body)
	}
	if got := mail.Header.Get("Auto-Submitted"); got != "auto-generated" {
		t.Errorf("Auto-Submitted = %q, want auto-generated", got)
	}
	// Due in 14 days with a reminder 3 days before: poll again in 11 days.
	if p.PollAfter != 11*day {
		t.Errorf("PollAfter = %v, want %v", p.PollAfter, 11*day)
	}
}

func TestDeleteEmailsTheDeletionAnswers(t *testing.T) {
	sink := smtptest.Start(t, smtptest.Options{})
	h := newHarness()
	h.mustConfigure(t, baseSettings(sink, nil))

	resp, err := h.c.Delete(context.Background(), &sdk.DeleteRequest{Job: testJob("job-del", sdk.RequestDeletion)})
	if err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if resp.Pending == nil {
		t.Fatalf("Delete answered %+v, want Pending", resp)
	}
	msgs := sink.Messages()
	if len(msgs) != 1 {
		t.Fatalf("server received %d messages, want 1", len(msgs))
	}
	mail := smtptest.Parse(t, msgs[0])
	if !strings.HasPrefix(mail.Subject, "Data deletion request 01JBQ7ZKX3M4N5P6Q7R8S9T0VW") {
		t.Errorf("subject = %q, want a deletion subject", mail.Subject)
	}
	want := []string{responseURL, formatDue(t0.Add(14 * day)), "Request type: deletion", subjectEmail}
	for _, a := range DeletionAnswers() {
		want = append(want, a.Text())
	}
	for _, w := range want {
		if !strings.Contains(mail.Body, w) {
			t.Errorf("body lacks %q:\n%s", w, mail.Body)
		}
	}
}

func TestSameIdempotencyKeySendsOneEmail(t *testing.T) {
	sink := smtptest.Start(t, smtptest.Options{})
	h := newHarness()
	h.mustConfigure(t, baseSettings(sink, nil))
	job := testJob("job-twice", sdk.RequestAccess)

	first := h.access(t, job)
	second := h.access(t, job)
	if n := len(sink.Messages()); n != 1 {
		t.Fatalf("the same job twice sent %d emails, want 1", n)
	}
	if first.Handle != second.Handle {
		t.Errorf("handles differ: %q then %q", first.Handle, second.Handle)
	}

	// Concurrent deliveries of one job still send one email.
	job = testJob("job-concurrent", sdk.RequestAccess)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := h.c.Access(context.Background(), &sdk.AccessRequest{Job: job}); err != nil {
				t.Errorf("Access: %v", err)
			}
		}()
	}
	wg.Wait()
	if n := len(sink.Messages()); n != 2 {
		t.Fatalf("after 8 concurrent deliveries of a second job: %d emails, want 2", n)
	}

	// Another key is another job.
	h.access(t, testJob("job-other", sdk.RequestAccess))
	if n := len(sink.Messages()); n != 3 {
		t.Fatalf("a third key: %d emails, want 3", n)
	}
}

func TestFailedSendIsRetriedAndCarriesNoPersonalData(t *testing.T) {
	sink := smtptest.Start(t, smtptest.Options{})
	h := newHarness()

	// The server is unreachable when the job runs (Configure would have
	// refused these settings, so they are installed directly).
	cfg, diags := decodeSettings(baseSettings(sink, nil))
	if diags != nil {
		t.Fatalf("decode: %+v", diags)
	}
	cfg.smtp.port = smtptest.ClosedPort(t)
	h.c.configs["acme-support"] = cfg

	job := testJob("job-retry", sdk.RequestAccess)
	_, err := h.c.Access(context.Background(), &sdk.AccessRequest{Job: job})
	var e *sdk.Error
	if !errors.As(err, &e) {
		t.Fatalf("Access error = %v, want *sdk.Error", err)
	}
	if e.Type != sdk.ErrorUnavailable || !e.Retryable {
		t.Errorf("error = %+v, want retryable unavailable", e)
	}
	for _, secret := range []string{subjectEmail, subjectPhone, responseURL} {
		if strings.Contains(e.Error()+e.Remediation, secret) || strings.Contains(h.logs.String(), secret) {
			t.Errorf("error or log reveals %q: %v / %s", secret, e, h.logs.String())
		}
	}

	// The server is back: the same key now sends, because failures are not
	// remembered.
	h.mustConfigure(t, baseSettings(sink, nil))
	h.access(t, job)
	if n := len(sink.Messages()); n != 1 {
		t.Fatalf("retry sent %d emails, want 1", n)
	}
}

func TestLogsHoldNoPersonalData(t *testing.T) {
	sink := smtptest.Start(t, smtptest.Options{})
	h := newHarness()
	h.mustConfigure(t, baseSettings(sink, nil))
	job := testJob("job-logs", sdk.RequestAccess)
	p := h.access(t, job)
	h.clock.Set(t0.Add(12 * day))
	h.pollAccess(t, job, p.Handle)

	logs := h.logs.String()
	if !strings.Contains(logs, "direct contact email sent") {
		t.Fatalf("no send was logged; logs:\n%s", logs)
	}
	for _, secret := range []string{subjectEmail, subjectPhone, subjectUserID, subjectCRMID, responseURL, "tok-9f3a1c7e5b2d4a68"} {
		if strings.Contains(logs, secret) {
			t.Errorf("logs reveal %q:\n%s", secret, logs)
		}
	}
}

func TestCustomTemplateKeepsOtherKindsDefault(t *testing.T) {
	sink := smtptest.Start(t, smtptest.Options{})
	h := newHarness()
	h.mustConfigure(t, baseSettings(sink, func(s, _ map[string]any) {
		s["subject_template"] = map[string]string{"access": "DSAR {{.RequestID}} for {{.Integration}}"}
		s["body_template"] = map[string]string{"access": "Please look up {{.Subject.Email}} and answer at {{.ResponseURL}} by {{.DueDate}}.\n"}
	}))
	h.access(t, testJob("job-custom", sdk.RequestAccess))
	if _, err := h.c.Delete(context.Background(), &sdk.DeleteRequest{Job: testJob("job-custom-del", sdk.RequestDeletion)}); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	msgs := sink.Messages()
	if len(msgs) != 2 {
		t.Fatalf("%d emails, want 2", len(msgs))
	}
	access, deletion := smtptest.Parse(t, msgs[0]), smtptest.Parse(t, msgs[1])
	if access.Subject != "DSAR 01JBQ7ZKX3M4N5P6Q7R8S9T0VW for acme-support" {
		t.Errorf("custom subject = %q", access.Subject)
	}
	wantBody := "Please look up " + subjectEmail + " and answer at " + responseURL + " by " + formatDue(t0.Add(14*day)) + ".\n"
	if access.Body != wantBody {
		t.Errorf("custom body = %q, want %q", access.Body, wantBody)
	}
	if !strings.HasPrefix(deletion.Subject, "Data deletion request") {
		t.Errorf("deletion subject = %q, want the default", deletion.Subject)
	}
}

func TestAccessBeforeConfigureFails(t *testing.T) {
	h := newHarness()
	_, err := h.c.Access(context.Background(), &sdk.AccessRequest{Job: testJob("k", sdk.RequestAccess)})
	var e *sdk.Error
	if !errors.As(err, &e) || e.Type != sdk.ErrorInvalidConfig {
		t.Fatalf("Access before Configure = %v, want invalid_config", err)
	}
}
