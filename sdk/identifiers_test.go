package sdk

import (
	"slices"
	"testing"
)

func TestIdentifierValues(t *testing.T) {
	tests := []struct {
		in   []string
		want string
	}{
		{nil, ""},
		{[]string{"", ""}, ""},
		{[]string{"42"}, "42"},
		{[]string{"42", "42"}, "42"},
		{[]string{"1", "2", "1", ""}, `["1","2"]`},
		{[]string{`a"b`, "c,d"}, `["a\"b","c,d"]`},
	}
	for _, tt := range tests {
		got := JoinIdentifierValues(tt.in)
		if got != tt.want {
			t.Errorf("JoinIdentifierValues(%q) = %q, want %q", tt.in, got, tt.want)
		}
		back := IdentifierValues(got)
		var uniq []string
		for _, v := range tt.in {
			if v != "" && !slices.Contains(uniq, v) {
				uniq = append(uniq, v)
			}
		}
		if !slices.Equal(back, uniq) {
			t.Errorf("IdentifierValues(%q) = %q, want %q", got, back, uniq)
		}
	}
	// A single value that merely looks like a list stays one value.
	if got := IdentifierValues(`["only"]`); !slices.Equal(got, []string{`["only"]`}) {
		t.Errorf("one-element list: %q", got)
	}
}
