package store_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/callstore/callstore/db"
	"github.com/callstore/callstore/db/dbtest"
	"github.com/callstore/callstore/store"
)

// Deleted means gone from the file: once a deletion has committed and the next checkpoint has
// run, no byte of what it removed is left in the database file, its WAL or its -shm. These tests
// write rows holding unique markers into a file database, delete some through the store's deletion
// paths, checkpoint, and scan the raw bytes of the three files.

// sdFixture is a store over a fresh file database, with one company.
type sdFixture struct {
	t    *testing.T
	ctx  context.Context
	path string
	d    *db.DB
	s    *store.Store
	p    store.Principal
	seq  int
}

func newSDFixture(t *testing.T) *sdFixture {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "calls.db")
	d, err := db.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	s, err := store.New(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	c, err := s.CreateCompany(ctx, "co")
	if err != nil {
		t.Fatal(err)
	}
	return &sdFixture{t: t, ctx: ctx, path: path, d: d, s: s, p: store.Principal{CompanyID: c.ID}}
}

// marker is a string that occurs nowhere but where the test puts it.
func marker(t *testing.T, what string) string {
	t.Helper()
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "MK" + strings.ToUpper(hex.EncodeToString(b)) + "-" + what
}

// sdCall is a call written with markers in every place its rows keep text.
type sdCall struct {
	id      string
	markers []string // in the call's own rows: the call, its messages (and its contact's identifier)
	logs    []string // in its log entries, which outlive it
}

// call creates a completed call of contact (nil: one of its own) with markers in its recording URL
// and dynamic variables and a log entry with one in its data.
func (f *sdFixture) call(contact *store.ContactInput) *sdCall {
	f.t.Helper()
	f.seq++
	c := &sdCall{}
	rec, dyn, logData := marker(f.t, "recording_url"), marker(f.t, "dynamic_variables"), marker(f.t, "log_data")
	in := store.CallInput{Status: "completed", ToNumber: fmt.Sprintf("+3460%07d", f.seq), Contact: contact,
		RecordingURL: &[]string{"https://rec.example/" + rec + ".wav"}[0], DynamicVariables: json.RawMessage(`{"customer":"` + dyn + `"}`)}
	got, err := f.s.CreateCall(f.ctx, f.p, in)
	if err != nil {
		f.t.Fatal(err)
	}
	c.id = got.ID
	c.markers = append(c.markers, rec, dyn)
	if _, err := f.s.AppendLogs(f.ctx, f.p, c.id, []store.LogInput{{Level: "INFO", Category: "CALL_LIFECYCLE", Event: "call.ended", Data: json.RawMessage(`{"note":"` + logData + `"}`)}}); err != nil {
		f.t.Fatal(err)
	}
	c.logs = append(c.logs, logData)
	return c
}

// messages appends to c's transcript a short message, a tool call and, when long, a message of
// three pages whose head and tail hold markers (the tail lands on an overflow page).
func (f *sdFixture) messages(c *sdCall, long bool) {
	f.t.Helper()
	short, tool := marker(f.t, "content"), marker(f.t, "tool_call")
	in := []store.MessageInput{
		{Role: "user", Content: &[]string{"Hola, " + short + ", quisiera saber el estado de mi pedido."}[0]},
		{Role: "tool", ToolCall: json.RawMessage(`{"name":"lookup_order","arguments":{"customer":"` + tool + `"}}`)},
	}
	c.markers = append(c.markers, short, tool)
	if long {
		head, tail := marker(f.t, "long_head"), marker(f.t, "long_tail")
		content := head + strings.Repeat("El pedido sale mañana del almacén. ", 3*8192/35) + tail
		in = append(in, store.MessageInput{Role: "assistant", Content: &content})
		c.markers = append(c.markers, head, tail)
	}
	if _, err := f.s.AppendMessages(f.ctx, f.p, c.id, in); err != nil {
		f.t.Fatal(err)
	}
}

// transcripts gives every call ten rounds of messages, round by round, so that the messages of
// different calls are written in turns and the transcripts' pages split and fill as they grow.
func (f *sdFixture) transcripts(calls ...*sdCall) {
	f.t.Helper()
	for round := range 10 {
		for i, c := range calls {
			f.messages(c, (round+i)%3 == 0)
		}
	}
}

// files reads the database file, its WAL and its -shm (absent: empty).
func (f *sdFixture) files() map[string][]byte {
	f.t.Helper()
	out := map[string][]byte{}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		b, err := os.ReadFile(f.path + suffix)
		if err != nil && !os.IsNotExist(err) {
			f.t.Fatal(err)
		}
		out["db"+suffix] = b
	}
	return out
}

// occurrences counts m in each file, as "db: 1, db-wal: 3", and reports the total.
func occurrences(files map[string][]byte, m string) (int, string) {
	total, where := 0, []string{}
	for _, name := range []string{"db", "db-wal", "db-shm"} {
		if n := bytes.Count(files[name], []byte(m)); n > 0 {
			total += n
			where = append(where, fmt.Sprintf("%s: %d", name, n))
		}
	}
	return total, strings.Join(where, ", ")
}

// expect checks that every marker occurs in the files (present) or none does.
func (f *sdFixture) expect(when string, present bool, markers ...string) {
	f.t.Helper()
	files := f.files()
	for _, m := range markers {
		n, where := occurrences(files, m)
		if present && n == 0 {
			f.t.Errorf("%s: %s is in none of the files", when, m)
		} else if !present && n > 0 {
			f.t.Errorf("%s: %s is still on disk (%s)", when, m, where)
		}
	}
}

// expectInFile checks that every marker occurs in the database file itself.
func (f *sdFixture) expectInFile(when string, markers ...string) {
	f.t.Helper()
	file := f.files()["db"]
	for _, m := range markers {
		if !bytes.Contains(file, []byte(m)) {
			f.t.Errorf("%s: %s is not in the database file", when, m)
		}
	}
}

func (f *sdFixture) checkpoint() {
	f.t.Helper()
	if ok, err := f.d.Checkpoint(f.ctx); err != nil || !ok {
		f.t.Fatalf("Checkpoint = %v, %v; want finished", ok, err)
	}
}

// waitFor polls cond for up to 5 s (the background checkpointer runs every 250 ms), and reports
// an error when it is still false by then.
func waitFor(t *testing.T, what string, cond func() bool) bool {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Errorf("after 5 s: %s", what)
			return false
		}
	}
	return true
}

func (f *sdFixture) walSize() int64 {
	f.t.Helper()
	fi, err := os.Stat(f.path + "-wal")
	if err != nil {
		f.t.Fatal(err)
	}
	return fi.Size()
}

func collect(calls []*sdCall, pick func(*sdCall) []string) []string {
	var out []string
	for _, c := range calls {
		out = append(out, pick(c)...)
	}
	return out
}

func rowMarkers(c *sdCall) []string { return c.markers }
func logMarkers(c *sdCall) []string { return c.logs }

// TestSecureDelete deletes calls (BulkDeleteCalls) and contacts with their calls (DeleteContacts)
// from a file database, checkpoints the way a caller does (Checkpoint) or waits for the background
// checkpointer, and finds no byte of a deleted row's text in the database file, the WAL or the
// -shm: not in a message's content (short, or long enough to spill onto overflow pages), not in
// its tool call, not in the call's recording URL or dynamic variables (kept in the table and in
// calls_contact_created), nor in a deleted contact's identifier (contacts, its unique index, and
// the copies in its calls). The WAL is empty (0 bytes) after the checkpoint. The rows of calls not
// deleted are still there, and so are the deleted calls' log entries, which outlive their call by
// design (call_id set to NULL).
func TestSecureDelete(t *testing.T) {
	dbtest.SkipOnPostgres(t, "SQLite's secure_delete, checked by scanning the database file's bytes")
	for _, ckpt := range []string{"Checkpoint", "Background"} {
		// checkpoint runs the checkpoint that must leave nothing of the deletion behind.
		checkpoint := func(f *sdFixture, truncatedBefore int64) {
			if ckpt == "Checkpoint" {
				f.checkpoint()
			} else {
				waitFor(f.t, "no TRUNCATE checkpoint has emptied the WAL", func() bool {
					return f.d.Checkpoints.Truncated.Load() > truncatedBefore && f.walSize() == 0
				})
			}
			if n := f.walSize(); n != 0 {
				f.t.Errorf("WAL is %d bytes after the checkpoint that followed the deletion, want 0", n)
			}
			if f.d.Checkpoints.Truncated.Load() == truncatedBefore {
				f.t.Error("no TRUNCATE checkpoint counted after the deletion")
			}
		}

		t.Run(ckpt+"/BulkDeleteCalls", func(t *testing.T) {
			f := newSDFixture(t)
			var gone, kept []*sdCall
			for range 8 {
				gone, kept = append(gone, f.call(nil)), append(kept, f.call(nil))
			}
			f.transcripts(append(append([]*sdCall{}, gone...), kept...)...)
			f.checkpoint()
			f.expectInFile("after a checkpoint", collect(gone, rowMarkers)...)
			// More writes after the checkpoint: the WAL starts over, its older frames stay.
			for _, c := range kept {
				f.messages(c, true)
			}
			f.expect("before the delete", true, collect(gone, rowMarkers)...)

			truncated := f.d.Checkpoints.Truncated.Load()
			ids := make([]string, len(gone))
			for i, c := range gone {
				ids[i] = c.id
			}
			if n, err := f.s.BulkDeleteCalls(f.ctx, f.p, ids); err != nil || n != int64(len(ids)) {
				t.Fatalf("BulkDeleteCalls = %d, %v; want %d", n, err, len(ids))
			}
			checkpoint(f, truncated)
			f.expect("after the delete and a checkpoint", false, collect(gone, rowMarkers)...)
			f.expect("kept calls", true, collect(kept, rowMarkers)...)
			f.expect("log entries of deleted calls (they outlive them)", true, collect(gone, logMarkers)...)
		})

		t.Run(ckpt+"/DeleteContacts", func(t *testing.T) {
			f := newSDFixture(t)
			var goneContacts []string
			var gone, kept, all []*sdCall
			var ids []string
			for i := range 3 {
				ident := marker(t, "identifier")
				contact := &store.ContactInput{Identifier: "+34 " + ident}
				var calls []*sdCall
				for range 3 {
					calls = append(calls, f.call(contact))
				}
				all = append(all, calls...)
				if i == 2 {
					kept = append(kept, calls...)
					kept[0].markers = append(kept[0].markers, ident)
					continue
				}
				gone = append(gone, calls...)
				gone[len(gone)-1].markers = append(gone[len(gone)-1].markers, ident)
				goneContacts = append(goneContacts, ident)
				c, err := f.s.GetCall(f.ctx, f.p, calls[0].id)
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, c.Contact.ID)
			}
			f.transcripts(all...)
			f.checkpoint()
			f.expectInFile("after a checkpoint", collect(gone, rowMarkers)...)
			f.expect("before the delete", true, collect(gone, rowMarkers)...)

			truncated := f.d.Checkpoints.Truncated.Load()
			res, err := f.s.DeleteContacts(f.ctx, f.p, ids, store.DeletePartial, false)
			if err != nil || res.Deleted != len(ids) {
				t.Fatalf("DeleteContacts = %+v, %v; want %d deleted", res, err, len(ids))
			}
			checkpoint(f, truncated)
			f.expect("after the delete and a checkpoint", false, collect(gone, rowMarkers)...)
			f.expect("after the delete and a checkpoint", false, goneContacts...)
			f.expect("kept contact's calls", true, collect(kept, rowMarkers)...)
			f.expect("log entries of deleted calls (they outlive them)", true, collect(gone, logMarkers)...)
		})
	}
}

// TestSecureDeleteWaitsForReader: while a read transaction holds a snapshot from before a
// deletion, the WAL cannot be emptied (the reader may still need its frames) and the deleted rows
// stay on disk; the background checkpointer keeps trying, and once the reader ends the WAL is
// truncated and they are gone.
func TestSecureDeleteWaitsForReader(t *testing.T) {
	dbtest.SkipOnPostgres(t, "SQLite's secure_delete and WAL checkpoints, checked in the database file's bytes")
	f := newSDFixture(t)
	gone, kept := f.call(nil), f.call(nil)
	f.transcripts(gone, kept)

	reader, err := f.d.Read.BeginTx(f.ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Rollback()
	var n int
	if err := reader.QueryRowContext(f.ctx, "SELECT count(*) FROM messages").Scan(&n); err != nil || n == 0 {
		t.Fatalf("reader saw %d messages (%v)", n, err)
	}

	truncated, busy := f.d.Checkpoints.Truncated.Load(), f.d.Checkpoints.TruncateBusy.Load()
	if n, err := f.s.BulkDeleteCalls(f.ctx, f.p, []string{gone.id}); err != nil || n != 1 {
		t.Fatalf("BulkDeleteCalls = %d, %v; want 1", n, err)
	}
	if !waitFor(t, "the checkpointer did not try to truncate the WAL twice", func() bool { return f.d.Checkpoints.TruncateBusy.Load() >= busy+2 }) {
		t.FailNow()
	}
	if got := f.d.Checkpoints.Truncated.Load(); got != truncated {
		t.Fatalf("%d TRUNCATE checkpoints finished under a reader's old snapshot", got-truncated)
	}
	if f.walSize() == 0 {
		t.Fatal("WAL emptied under a reader's old snapshot")
	}
	f.expect("while the reader holds its snapshot", true, gone.markers...)
	if err := reader.Rollback(); err != nil {
		t.Fatal(err)
	}

	waitFor(t, "no TRUNCATE checkpoint has emptied the WAL after the reader ended", func() bool {
		return f.d.Checkpoints.Truncated.Load() > truncated && f.walSize() == 0
	})
	if f.d.Checkpoints.Truncated.Load() == truncated {
		t.Error("no TRUNCATE checkpoint counted after the reader ended")
	}
	if n := f.walSize(); n != 0 {
		t.Errorf("WAL is %d bytes after the TRUNCATE checkpoint, want 0", n)
	}
	f.expect("after the reader ended", false, gone.markers...)
	f.expect("the kept call", true, kept.markers...)
}
