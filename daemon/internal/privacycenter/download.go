package privacycenter

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/redis/go-redis/v9"

	"github.com/dsrhost/dsrhost/daemon/internal/archive"
	"github.com/dsrhost/dsrhost/daemon/internal/engine"
	"github.com/dsrhost/dsrhost/daemon/internal/reply"
	"github.com/dsrhost/dsrhost/daemon/internal/state"
	"github.com/dsrhost/dsrhost/sdk"
)

// downloadView is the download page's content.
type downloadView struct {
	ID    string
	Until string
	Left  int
}

// ReplyLinks are the links the reply to a request filed here carries: its
// status page and, for an access request, a fresh download link that
// works for the configured TTL and number of uses. A request filed
// elsewhere gets none (its subject's address was never verified).
func (c *Center) ReplyLinks(req *engine.Request) (reply.Links, error) {
	if req.Source != Source {
		return reply.Links{}, nil
	}
	status, err := c.StatusURL(req.ID)
	if err != nil {
		return reply.Links{}, err
	}
	l := reply.Links{StatusURL: status}
	if req.Type != sdk.RequestAccess {
		return l, nil
	}
	until := c.now().Add(c.cfg.Download.TTL.Duration).UTC()
	tok, err := c.tokens.Make(Claims{Kind: kindDownload, RequestID: req.ID, ExpiresAt: until, Nonce: newID()[:16]})
	if err != nil {
		return reply.Links{}, err
	}
	l.DownloadURL, l.DownloadUntil = c.url(Path+"download/"+tok), until
	return l, nil
}

func (c *Center) usesKey(cl Claims) string {
	return c.prefix + ":{" + cl.RequestID + "}:privacy:download:" + cl.Nonce
}

// downloadable reads a download link's request, answering the refusal
// itself when there is nothing to download.
func (c *Center) downloadable(w http.ResponseWriter, r *http.Request) (Claims, *engine.Request, bool) {
	cl, ok := c.readToken(w, r, kindDownload)
	if !ok {
		return Claims{}, nil, false
	}
	req, err := c.engine.Get(r.Context(), cl.RequestID)
	switch {
	case errors.Is(err, engine.ErrNotFound):
		c.message(w, r, http.StatusGone, msgPurged)
		return Claims{}, nil, false
	case err != nil:
		c.fail(w, r, "read a request for download", err)
		return Claims{}, nil, false
	case req.Type != sdk.RequestAccess || req.Stage != state.StageClosed || req.Outcome != state.OutcomeCompleted:
		c.message(w, r, http.StatusNotFound, msgNoResults)
		return Claims{}, nil, false
	case !c.now().Before(req.ClosedAt.Add(c.keep)):
		c.message(w, r, http.StatusGone, msgPurged)
		return Claims{}, nil, false
	}
	return cl, req, true
}

func (c *Center) used(ctx context.Context, cl Claims) (int, error) {
	n, err := c.rdb.Get(ctx, c.usesKey(cl)).Int()
	if errors.Is(err, redis.Nil) {
		return 0, nil
	}
	return n, err
}

func (c *Center) showDownload(w http.ResponseWriter, r *http.Request) {
	cl, req, ok := c.downloadable(w, r)
	if !ok {
		return
	}
	n, err := c.used(r.Context(), cl)
	if err != nil {
		c.fail(w, r, "count downloads", err)
		return
	}
	left := c.cfg.Download.MaxUses - n
	if left <= 0 {
		c.message(w, r, http.StatusGone, msgUsedUp)
		return
	}
	c.render(w, http.StatusOK, "download", page{Title: "Your data", CSRF: c.csrfToken(w, r),
		Download: &downloadView{ID: req.ID, Until: moment(cl.ExpiresAt), Left: left}})
}

// download counts one use, records it in the request's history, and
// streams the archive, decrypted only in memory.
func (c *Center) download(w http.ResponseWriter, r *http.Request) {
	cl, req, ok := c.downloadable(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	pipe := c.rdb.TxPipeline()
	incr := pipe.Incr(ctx, c.usesKey(cl))
	pipe.ExpireAt(ctx, c.usesKey(cl), cl.ExpiresAt.Add(claimHold))
	if _, err := pipe.Exec(ctx); err != nil {
		c.fail(w, r, "count a download", err)
		return
	}
	n := int(incr.Val())
	if n > c.cfg.Download.MaxUses {
		c.message(w, r, http.StatusGone, msgUsedUp)
		return
	}
	results, err := c.engine.Results(ctx, req.ID)
	if err != nil {
		c.fail(w, r, "read results for download", err)
		return
	}
	if err := c.engine.Note(ctx, req.ID, engine.Event{
		Kind: engine.EventDownload, Actor: engine.ActorPrivacyCenter, Message: "Subject downloaded the access results",
		Attributes: map[string]string{"use": strconv.Itoa(n), "max_uses": strconv.Itoa(c.cfg.Download.MaxUses)},
	}); err != nil {
		c.fail(w, r, "record a download", err)
		return
	}
	c.metrics.Downloaded()
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", `attachment; filename="`+archive.Name(req.ID)+`"`)
	opts := archive.Options{Now: c.now(), Index: true, Organisation: c.cfg.Organisation}
	if err := archive.Write(ctx, w, req, results, opts); err != nil {
		// Headers are gone: the truncated zip fails to open, and the log
		// says why.
		c.log.Error("privacy center: write a download", "request", req.ID, "error", err)
	}
}
