package handlers_test

import (
	"strings"
	"testing"
	"time"

	"github.com/callstore/callstore/db/dbtest"
)

// TestTextWithNUL: a text value holding U+0000 is stored by SQLite and refused by the PostgreSQL
// engine (its text type cannot hold it), but on neither engine does it ever make a 500, and on
// PostgreSQL the refusal is the calls API's invalid input UNSUPPORTED_CHARACTER with nothing
// written (docs/scale-out.md).
func TestTextWithNUL(t *testing.T) {
	e := newEnv(t)
	onPG := dbtest.Postgres() != ""
	sd := e.seed(e.Company.ID)
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	callID := sd.call(callSpec{Contact: sd.contact("+34600000001", at).ID, At: at})

	// A write: a transcript message.
	r := e.do("POST", "/v1/call/"+callID+"/message", e.Key, `[{"role":"user","content":"ho\u0000la"}]`)
	switch {
	case !onPG && r.Status != 201:
		t.Fatalf("SQLite: message with U+0000 = %d %s, want 201", r.Status, r.Body)
	case onPG && (r.Status/100 != 4 || !strings.Contains(string(r.Body), "UNSUPPORTED_CHARACTER")):
		t.Fatalf("PostgreSQL: message with U+0000 = %d %s, want a 4xx UNSUPPORTED_CHARACTER", r.Status, r.Body)
	}
	if onPG {
		if got := e.do("GET", "/v1/call/"+callID+"/message", e.Key, nil); got.Status != 404 || !strings.Contains(string(got.Body), "NO_MESSAGES_FOR_CALL") {
			t.Fatalf("the refused message was written: %d %s", got.Status, got.Body)
		}
	}

	// An import: only the line with U+0000 fails.
	lines := `{"id":"0190a1b2-0000-7000-8000-0000000000a1","status":"completed","contact":{"identifier":"+34600000002"},"messages":[{"role":"user","content":"a\u0000b"}]}
{"id":"0190a1b2-0000-7000-8000-0000000000a2","status":"completed","contact":{"identifier":"+34600000003"}}
`
	r = e.do("POST", "/v1/call/import", e.Key, lines)
	want := `"imported":2`
	if onPG {
		want = `"imported":1`
	}
	if r.Status != 200 || !strings.Contains(string(r.Body), want) {
		t.Fatalf("import = %d %s, want %s", r.Status, r.Body, want)
	}

	// Reads and lookups of a value with U+0000 are never a 500.
	for _, c := range []struct{ method, path, body string }{
		{"GET", "/v1/contact/?identifier=%2B346%00", ""},
		{"POST", "/v1/contact/erase", `{"identifier":"+346\u0000","dry_run":true}`},
	} {
		r := e.do(c.method, c.path, e.Key, c.body)
		if r.Status >= 500 {
			t.Fatalf("%s %s = %d %s", c.method, c.path, r.Status, r.Body)
		}
	}
}
