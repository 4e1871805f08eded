package connector

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// strategyKind is one masking strategy.
type strategyKind string

const (
	strategyNull     strategyKind = "null"
	strategyFixed    strategyKind = "fixed"
	strategyHash     strategyKind = "hash"
	strategyRandom   strategyKind = "random"
	strategyTruncate strategyKind = "truncate"
)

// strategy is a parsed mask strategy: "null", "fixed:VALUE", "hash",
// "random[:LENGTH]", "truncate:year|month|day".
type strategy struct {
	kind   strategyKind
	fixed  string
	length int    // random
	unit   string // truncate
}

type maskRule struct {
	Column   string
	Strategy strategy
}

// defaultRandomLength is the length of "random" strings without a length.
const defaultRandomLength = 16

// hashLength is the length of a full "hash" value: HMAC-SHA256 in hex.
const hashLength = 2 * sha256.Size

// parseStrategy reads a strategy; the error is a sentence for a diagnostic
// that does not quote the value (a fixed value may be personal).
func parseStrategy(s string) (strategy, string) {
	kind, arg, hasArg := strings.Cut(s, ":")
	st := strategy{kind: strategyKind(kind)}
	switch st.kind {
	case strategyNull, strategyHash:
		if hasArg {
			return st, fmt.Sprintf("The %q strategy takes no argument after a colon.", kind)
		}
	case strategyFixed:
		if !hasArg {
			return st, `Write the fixed value after a colon, such as "fixed:Deleted user".`
		}
		st.fixed = arg
	case strategyRandom:
		st.length = defaultRandomLength
		if hasArg {
			n, err := strconv.Atoi(arg)
			if err != nil || n < 8 || n > 256 {
				return st, `A random string's length is a whole number from 8 to 256, such as "random:12".`
			}
			st.length = n
		}
	case strategyTruncate:
		if arg != "year" && arg != "month" && arg != "day" {
			return st, `Date truncation keeps the "year", the "month" or the "day": "truncate:year", "truncate:month" or "truncate:day".`
		}
		st.unit = arg
	default:
		return st, `The strategy must be "null", "fixed:VALUE", "hash", "random" (or "random:LENGTH"), ` +
			`"truncate:year", "truncate:month" or "truncate:day".`
	}
	return st, ""
}

// maskInput is what a strategy may draw on besides the value.
type maskInput struct {
	hashKey []byte
	// jobKey, table, row and column seed "random": the same job masks a
	// row to the same string, so running it twice changes nothing more.
	jobKey, table, row, column string
	col                        columnInfo
}

// apply returns the masked value and whether it differs from old. Each
// strategy is a fixpoint: masking a masked value leaves it unchanged.
func (st strategy) apply(old any, in maskInput) (any, bool) {
	switch st.kind {
	case strategyNull:
		return nil, old != nil
	case strategyFixed:
		return st.fixed, old == nil || fmt.Sprint(old) != st.fixed
	case strategyHash:
		s, ok := old.(string)
		if !ok || s == "" {
			return old, false // NULL and empty hold nothing to hide
		}
		n := in.col.fit(hashLength)
		if isLowerHex(s, n) {
			return old, false // already a hash
		}
		m := hmac.New(sha256.New, in.hashKey)
		m.Write([]byte(s))
		return hex.EncodeToString(m.Sum(nil))[:n], true
	case strategyRandom:
		if old == nil {
			return nil, false
		}
		v := randomString(in, in.col.fit(st.length))
		s, _ := old.(string)
		return v, s != v
	case strategyTruncate:
		return truncateDate(old, st.unit, in.col)
	}
	return old, false
}

// randomString draws a string of letters and digits from the job and the
// row: unrelated to the value it replaces, and the same on a rerun.
func randomString(in maskInput, n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	m := hmac.New(sha256.New, []byte(in.jobKey))
	var out strings.Builder
	for block := 0; out.Len() < n; block++ {
		m.Reset()
		fmt.Fprintf(m, "%s\x00%s\x00%s\x00%d", in.table, in.row, in.column, block)
		for _, b := range m.Sum(nil) {
			if out.Len() == n {
				break
			}
			out.WriteByte(alphabet[int(b)%len(alphabet)])
		}
	}
	return out.String()
}

func isLowerHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, r := range s {
		if (r < '0' || r > '9') && (r < 'a' || r > 'f') {
			return false
		}
	}
	return true
}

// dateLayouts are how SQLite, which has no date type, commonly stores
// dates as text.
var dateLayouts = []string{"2006-01-02", "2006-01-02 15:04:05", "2006-01-02T15:04:05Z07:00", "2006-01-02 15:04:05.999999999-07:00"}

// truncateDate keeps the year, month or day of a date or timestamp, as a
// time (drivers with date types) or as text in the layout it was read in.
func truncateDate(old any, unit string, col columnInfo) (any, bool) {
	trunc := func(t time.Time) time.Time {
		y, m, d := t.Date()
		switch unit {
		case "year":
			m, d = time.January, 1
		case "month":
			d = 1
		}
		return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
	}
	switch v := old.(type) {
	case time.Time:
		nt := trunc(v)
		if col.textDates {
			layout := "2006-01-02 15:04:05"
			if col.Class == classDate {
				layout = "2006-01-02"
			}
			return nt.Format(layout), !nt.Equal(v)
		}
		return nt, !nt.Equal(v)
	case string:
		for _, layout := range dateLayouts {
			if t, err := time.Parse(layout, v); err == nil {
				s := trunc(t).Format(layout)
				return s, s != v
			}
		}
	}
	return old, false
}
