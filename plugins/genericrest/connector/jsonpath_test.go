package connector

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRecordsAndScalars(t *testing.T) {
	doc, err := parseJSON([]byte(`{"data": [{"id": 12345678901234567890123, "n": 9007199254740993, "f": 1.5, "huge": 1e400, "ok": true},
		{"id": "s-2"}, 7, null], "one": {"id": "o"}}`))
	if err != nil {
		t.Fatal(err)
	}
	x, problem := compilePath("$.data")
	if problem != "" {
		t.Fatal(problem)
	}
	recs := records(x, doc)
	if len(recs) != 3 {
		t.Fatalf("records = %v, want the array's three non-null elements", recs)
	}
	id, _ := compilePath("$.id")
	var ids []string
	for _, r := range recs {
		ids = append(ids, scalarString(first(id, r)))
	}
	if diff := cmp.Diff([]string{"12345678901234567890123", "s-2", ""}, ids); diff != "" {
		t.Errorf("ids (-want +got):\n%s", diff)
	}
	b, err := encodeRecord(recs[0])
	if err != nil {
		t.Fatal(err)
	}
	want := `{"f":1.5,"huge":1e999,"id":12345678901234567890123,"n":9007199254740993,"ok":true}`
	if string(b) != want {
		t.Errorf("encoded %s, want %s", b, want)
	}
	one, _ := compilePath("$.one")
	if got := records(one, doc); len(got) != 1 {
		t.Errorf("an object found is one record, got %v", got)
	}
	if _, err := parseJSON([]byte(`{"a":`)); err == nil {
		t.Error("truncated JSON parsed")
	}
}
