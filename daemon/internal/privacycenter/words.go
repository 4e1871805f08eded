package privacycenter

import (
	"strconv"
	"strings"
	"time"

	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/sdk"
)

// typeView is a request type as the pages name it.
type typeView struct {
	Name  string
	Title string
	Blurb string
}

var typeWords = map[sdk.RequestType]typeView{
	sdk.RequestAccess:      {Title: "Get a copy of my data", Blurb: "We send you a copy of the personal data we hold about you."},
	sdk.RequestDeletion:    {Title: "Delete my data", Blurb: "We delete the personal data we hold about you, where the law lets us."},
	sdk.RequestDoNotSell:   {Title: "Do not sell or share my data", Blurb: "We stop selling or sharing your personal data."},
	sdk.RequestDoNotMail:   {Title: "Stop mailing me", Blurb: "We stop sending you marketing by post and email."},
	sdk.RequestRightToEdit: {Title: "Correct my data", Blurb: "We correct personal data about you that is wrong. Tell us what to correct in the details."},
}

func describeType(rt sdk.RequestType) typeView {
	v := typeWords[rt]
	v.Name = string(rt)
	if v.Title == "" {
		v.Title = strings.ReplaceAll(string(rt), "_", " ")
	}
	return v
}

// identifierLabel words a configured identifier for its form field.
func identifierLabel(name string) string {
	switch name {
	case "phone":
		return "Phone number"
	case "user_id":
		return "Your account ID"
	}
	s := strings.ReplaceAll(name, "_", " ")
	return strings.ToUpper(s[:1]) + s[1:]
}

// stageWords say where a request is, without integration internals.
func stageWords(stage state.Stage, outcome state.Outcome) (short, explain string) {
	switch stage {
	case state.StageReview:
		return "Received", "We have your request and are checking it before we start."
	case state.StageProcess:
		return "In progress", "We are working on your request in the systems that hold personal data."
	case state.StageReply:
		return "Answer being prepared", "We have finished searching and are preparing our answer to you."
	case state.StageClosed:
		if outcome == state.OutcomeRejected {
			return "Closed", "We could not carry out your request. Our answer, sent to you by email, explains why."
		}
		return "Complete", "We have completed your request and sent you our answer by email."
	}
	return "Received", "We have your request."
}

// day formats a date the way people write it.
func day(t time.Time) string { return t.UTC().Format("2 January 2006") }

// moment formats a time for a link's expiry.
func moment(t time.Time) string { return t.UTC().Format("2 January 2006, 15:04 MST") }

// ttlWords says how long a duration is, in the largest whole unit.
func ttlWords(d time.Duration) string {
	switch {
	case d >= 48*time.Hour && d%(24*time.Hour) == 0:
		return plural(int(d/(24*time.Hour)), "day")
	case d >= time.Hour && d%time.Hour == 0:
		return plural(int(d/time.Hour), "hour")
	case d >= time.Minute:
		return plural(int(d/time.Minute), "minute")
	}
	return plural(int(d/time.Second), "second")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}
