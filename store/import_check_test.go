package store_test

import (
	"errors"
	"testing"

	"github.com/callstore/callstore/store"
)

// Lines checked ahead (store.CheckImportLine, as the seed does) import as unchecked ones do: a
// good line is normalized by the check (defaults, derived duration) and written, a bad one keeps
// the reason the check gave it and fails alone, and a line that came with an error keeps that.
func TestCheckImportLine(t *testing.T) {
	e := newIngestEnv(t)
	good := goodImportLine(1, "  +34600000001 ", 2, 1)
	good.Call.Call.ID = store.NewID()
	badStatus := goodImportLine(2, "+34600000002", 1, 0)
	badStatus.Call.Call.Status = "unknown"
	unread := store.ImportLine{Line: 3, Err: store.Errorf(store.EINVALID, "INVALID_JSON", "the line is not valid JSON")}
	lines := []store.ImportLine{good, badStatus, unread, goodImportLine(4, "+34600000004", 0, 0)}
	for i := range lines {
		store.CheckImportLine(&lines[i])
	}

	if err := lines[0].Err; err != nil {
		t.Fatalf("good line: %v", err)
	}
	if c := lines[0].Call.Call; c.Contact.Identifier != "+34600000001" || c.Type != store.TypeOutbound || c.Duration == nil || *c.Duration != 200 {
		t.Fatalf("checked call = %+v (contact %+v), want it normalized", c, c.Contact)
	}
	if store.ErrorReason(lines[1].Err) != "INVALID_CALL_STATUS" {
		t.Fatalf("bad status: %v", lines[1].Err)
	}
	if !errors.Is(lines[2].Err, unread.Err) {
		t.Fatalf("a line's own error was replaced: %v", lines[2].Err)
	}

	res, err := e.S.Import(e.ctx, e.P, lineSeq(lines...))
	if err != nil {
		t.Fatal(err)
	}
	if res.Imported != 2 {
		t.Fatalf("imported = %d, want 2", res.Imported)
	}
	wantFailures(t, res, "2:INVALID_CALL_STATUS", "3:INVALID_JSON")
	c, err := e.S.GetCall(e.ctx, e.P, good.Call.Call.ID)
	if err != nil || c.Contact.Identifier != "+34600000001" || c.Duration == nil || *c.Duration != 200 {
		t.Fatalf("imported call = %+v, %v", c, err)
	}
}
