package privacycenter

import (
	"net/http"
	"strconv"
	"time"
)

// message is a page that only explains: a refusal or a failure.
type message struct {
	Title string
	Text  string
}

var (
	msgNotFound  = message{"Page not found", "There is no page at this address. Start from the privacy requests page."}
	msgTooLarge  = message{"Form too large", "The form was larger than we accept. Shorten the details and send it again."}
	msgFailed    = message{"Something went wrong", "Something went wrong on our side and nothing was saved. Please try again in a few minutes."}
	msgExpired   = message{"This link has expired", "The time to confirm this request is over and we deleted what you sent. Please send your request again."}
	msgUsed      = message{"This request is already confirmed", "This confirmation was used already. We are working on your request and emailed you its reference."}
	msgBusy      = message{"Confirmation in progress", "This request is being confirmed right now. Wait a minute, then open the link again."}
	msgLocked    = message{"Too many wrong codes", "The code was wrong too many times, so we deleted this request. Please send your request again."}
	msgLimited   = message{"Too many requests", "We received too many requests from you in a short time. Please try again later."}
	msgForged    = message{"This link is not valid", "This link is incomplete or was not sent by us. Open the link from our email again, copying all of it."}
	msgLinkOver  = message{"This link has expired", "This download link is no longer valid. Write to us if you need a new one."}
	msgUsedUp    = message{"This link has been used up", "This download link was used as many times as it allows. Write to us if you need a new one."}
	msgPurged    = message{"Your data is no longer available", "We keep the copy of your data only for a limited time after answering, and that time is over, so we deleted it. You can send a new request."}
	msgNoResults = message{"Nothing to download", "This request has no copy of personal data to download."}
	msgOff       = message{"Not offered here", "We do not offer this kind of request here. Start from the privacy requests page."}
)

func (c *Center) message(w http.ResponseWriter, _ *http.Request, status int, m message) {
	c.render(w, status, "message", page{Title: m.Title, Text: m.Text})
}

// limited answers 429 with when to try again.
func (c *Center) limited(w http.ResponseWriter, r *http.Request, retry time.Duration) {
	w.Header().Set("Retry-After", strconv.Itoa(int(retry.Seconds())))
	c.message(w, r, http.StatusTooManyRequests, msgLimited)
}
