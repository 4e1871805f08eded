package mailsink

import (
	"net/smtp"
	"strings"
	"testing"
)

func TestSinkReportsEachEmailWithItsLinks(t *testing.T) {
	got := make(chan Email, 1)
	s, err := Start("127.0.0.1:0", func(e Email) { got <- e })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })

	msg := "To: dpo@vendor.example\r\nSubject: Data deletion request\r\n" +
		"Content-Transfer-Encoding: quoted-printable\r\n\r\n" +
		"Answer at http://127.0.0.1:8700/respond/abc.def=3D before the due date.\r\n"
	if err := smtp.SendMail(s.Addr, nil, "privacy@example.com", []string{"dpo@vendor.example"}, []byte(msg)); err != nil {
		t.Fatal(err)
	}
	e := <-got
	if e.Subject != "Data deletion request" || len(e.To) != 1 || e.To[0] != "dpo@vendor.example" {
		t.Errorf("email = %+v", e)
	}
	if len(e.Links) != 1 || e.Links[0] != "http://127.0.0.1:8700/respond/abc.def=" {
		t.Errorf("links = %q", e.Links)
	}
	if len(s.Emails()) != 1 || !strings.Contains(s.Emails()[0].Body, "before the due date") {
		t.Errorf("Emails() = %+v", s.Emails())
	}
}
