package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/callstore/callstore/db"
	"github.com/callstore/callstore/db/sqlcdb"
	"github.com/callstore/callstore/db/sqlctest"
	"github.com/callstore/callstore/store"

	"github.com/google/uuid"
)

// The benchmark fixture: one company with benchCalls calls over benchContacts contacts, 20 agents
// and 5 phones, a second company with calls of its own, and benchBatches batches of 500 terminal
// calls with 50 messages and 10 log entries each for the bulk delete to remove. Building it takes
// a while, so it is built once into the system temp directory, named by the schema and by this
// layout, and reused by later runs (delete os.TempDir()/callstore-bench to rebuild it).
const (
	benchLayout    = "v1"
	benchCalls     = 100_000
	benchOther     = 10_000
	benchContacts  = 1_000
	benchBatches   = 8
	benchBatchSize = store.MaxBulkDelete
	benchMessages  = 50
	benchLogs      = 10
)

var (
	benchOnce    sync.Once
	benchPath    string
	benchErr     error
	benchCompany = "00000000-0000-7000-8000-000000000001"
	benchT0      = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
)

// benchID returns a deterministic UUID for the n-th row of a kind, so the fixture is the same on
// every build and benchmarks can name rows without reading them.
func benchID(kind byte, n int) string {
	var u uuid.UUID
	u[0] = kind
	u[6], u[8] = 0x70, 0x80
	u[10], u[11], u[12], u[13], u[14], u[15] = byte(n>>40), byte(n>>32), byte(n>>24), byte(n>>16), byte(n>>8), byte(n)
	return u.String()
}

// benchDB returns the path of the fixture, building it on first use.
func benchDB(b *testing.B) string {
	b.Helper()
	benchOnce.Do(func() { benchPath, benchErr = buildBenchDB() })
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchPath
}

func buildBenchDB() (string, error) {
	h := sha256.New()
	fmt.Fprint(h, benchLayout)
	err := fs.WalkDir(db.Migrations(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(db.Migrations(), p)
		h.Write(data)
		return err
	})
	if err != nil {
		return "", err
	}
	dir := filepath.Join(os.TempDir(), "callstore-bench")
	path := filepath.Join(dir, "calls-"+hex.EncodeToString(h.Sum(nil))[:16]+".db")
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(dir, "build-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	built := filepath.Join(tmp, "calls.db")
	if err := fillBenchDB(built); err != nil {
		return "", err
	}
	return path, os.Rename(built, path)
}

// benchIdentifier is the phone number of the i-th contact of the benchmark company.
func benchIdentifier(i int) string { return fmt.Sprintf("+3460%07d", i) }

func fillBenchDB(path string) error {
	ctx := context.Background()
	d, err := db.Open(ctx, path)
	if err != nil {
		return err
	}
	defer d.Close()
	// Batches of rows, each in one transaction with prepared statements.
	inTx := func(fn func(q sqlcdb.Querier) error) error { return d.InBulkTx(ctx, fn) }
	other := "00000000-0000-7000-8000-000000000002"
	err = inTx(func(q sqlcdb.Querier) error {
		for _, c := range []string{benchCompany, other} {
			if _, err := q.CreateCompany(ctx, sqlcdb.CreateCompanyParams{ID: c, Name: c, CreatedDate: benchT0.UnixMicro()}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	// Contacts with the ids and dates the benchmarks expect, through a query only tests use.
	tx, err := d.Write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	tq, err := sqlctest.Prepare(ctx, tx)
	if err != nil {
		return err
	}
	defer tq.Close()
	for i := range benchContacts {
		if _, err := tq.CreateContact(ctx, sqlctest.CreateContactParams{ID: benchID(1, i), CompanyID: benchCompany, Identifier: benchIdentifier(i), ContactType: "call", CreatedDate: benchT0.UnixMicro()}); err != nil {
			return err
		}
	}
	if _, err := tq.CreateContact(ctx, sqlctest.CreateContactParams{ID: benchID(2, 0), CompanyID: other, Identifier: "+1", ContactType: "call", CreatedDate: benchT0.UnixMicro()}); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	agents, phones := make([]string, 20), make([]string, 5)
	for i := range agents {
		agents[i] = benchID(3, i)
	}
	for i := range phones {
		phones[i] = benchID(4, i)
	}
	const chunk = 20_000
	for start := 0; start < benchCalls+benchOther; start += chunk {
		err := inTx(func(q sqlcdb.Querier) error {
			for i := start; i < min(start+chunk, benchCalls+benchOther); i++ {
				p := sqlcdb.CreateCallParams{
					ID: benchID(5, i), CompanyID: benchCompany, ContactID: benchID(1, i%benchContacts),
					ContactIdentifier: benchIdentifier(i % benchContacts), ContactType: "call", ContactCreatedDate: benchT0.UnixMicro(),
					AgentID: &agents[i%len(agents)], PhoneRegisterID: &phones[i%len(phones)],
					Status: store.CallStatuses[2+i%4], Type: store.CallTypes[i%2],
					CreatedDate: benchT0.Add(time.Duration(i/2) * time.Second).UnixMicro(), // pairs share a created_date
				}
				if i >= benchCalls {
					p.CompanyID, p.ContactID, p.ContactIdentifier = other, benchID(2, 0), "+1"
				}
				if err := q.CreateCall(ctx, p); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	for batch := range benchBatches {
		if err := inTx(func(q sqlcdb.Querier) error { return addDeleteBatch(ctx, q, batch) }); err != nil {
			return err
		}
	}
	return nil // closing the database checkpoints the WAL: one self-contained file to copy
}

// addDeleteBatch adds the batch-th set of 500 terminal calls, with their messages and log entries,
// dated before every other call so they do not disturb the list benchmarks' pages.
func addDeleteBatch(ctx context.Context, q sqlcdb.Querier, batch int) error {
	content := "Hello, I would like to know the status of my order."
	for j := range benchBatchSize {
		n := batch*benchBatchSize + j
		id := benchID(6, n)
		at := benchT0.Add(-time.Duration(n+1) * time.Hour)
		err := q.CreateCall(ctx, sqlcdb.CreateCallParams{ID: id, CompanyID: benchCompany, ContactID: benchID(1, n%benchContacts),
			ContactIdentifier: benchIdentifier(n % benchContacts), ContactType: "call", ContactCreatedDate: benchT0.UnixMicro(), Status: "completed", Type: "inbound", CreatedDate: at.UnixMicro()})
		if err != nil {
			return err
		}
		for m := range benchMessages {
			err := q.CreateMessage(ctx, sqlcdb.CreateMessageParams{CallID: id, CreatedDate: at.Add(time.Duration(m) * time.Second).UnixMicro(), ID: benchID(7, n*benchMessages+m), Role: "user", Content: &content})
			if err != nil {
				return err
			}
		}
		for l := range benchLogs {
			err := q.CreateCallLog(ctx, sqlcdb.CreateCallLogParams{ID: benchID(8, n*benchLogs+l), CompanyID: benchCompany, CallID: &id, Timestamp: at.Add(time.Duration(l) * time.Second).UnixMicro(), Level: "INFO", Category: "CALL_LIFECYCLE", Event: "call.event"})
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// openBench opens the fixture (or a copy of it) as the server would.
func openBench(b *testing.B, path string) *store.Store {
	b.Helper()
	d, err := db.Open(context.Background(), path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { d.Close() })
	s, err := store.New(context.Background(), d)
	if err != nil {
		b.Fatal(err)
	}
	return s
}

var benchPrincipal = store.Principal{CompanyID: benchCompany}

func benchList(b *testing.B, f store.CallFilter, pg store.PageRequest, wantRows int) {
	s := openBench(b, benchDB(b))
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		p, err := s.ListCalls(ctx, benchPrincipal, f, pg)
		if err != nil {
			b.Fatal(err)
		}
		if len(p.Data) != wantRows {
			b.Fatalf("%d rows, want %d", len(p.Data), wantRows)
		}
	}
}

// BenchmarkListFirstPage is GET /v1/call/ with the defaults: the newest 50 calls.
func BenchmarkListFirstPage(b *testing.B) {
	benchList(b, store.CallFilter{}, store.PageRequest{Limit: 50, Desc: true}, 50)
}

// BenchmarkListDeep10000 is the page after the 10,000th newest call (after=<its id>).
func BenchmarkListDeep10000(b *testing.B) {
	// Calls are numbered in created order, pairs sharing a date; the 10,000th newest is number
	// benchCalls-10,000 (ties within a pair go by id, which grows with the number).
	benchList(b, store.CallFilter{}, store.PageRequest{After: benchID(5, benchCalls-10_000), Limit: 50, Desc: true}, 50)
}

// BenchmarkListContact is the first page of one contact's calls (about 100 of 100,000).
func BenchmarkListContact(b *testing.B) {
	c := benchID(1, 7)
	benchList(b, store.CallFilter{ContactID: &c}, store.PageRequest{Limit: 50, Desc: true}, 50)
}

// BenchmarkListPageMode is page mode: the filtered count for total_pages, then the page by offset.
func BenchmarkListPageMode(b *testing.B) {
	for _, page := range []int64{1, 200} {
		b.Run(fmt.Sprintf("page=%d", page), func(b *testing.B) {
			benchList(b, store.CallFilter{}, store.PageRequest{Page: page, Limit: 50, Desc: true}, 50)
		})
	}
}

// BenchmarkBulkDelete500 deletes 500 terminal calls, each with 50 messages (cascaded) and 10 log
// entries (kept, call_id set to NULL), from the 100,000-call company. Each iteration deletes the
// next prepared batch; when the batches run out, a fresh copy of the fixture is opened untimed.
func BenchmarkBulkDelete500(b *testing.B) {
	src := benchDB(b)
	ctx := context.Background()
	var s *store.Store
	batch := benchBatches
	ids := make([]string, benchBatchSize)
	b.ReportAllocs()
	for b.Loop() {
		if batch == benchBatches {
			b.StopTimer()
			s = openBench(b, copyFile(b, src))
			batch = 0
			b.StartTimer()
		}
		for j := range ids {
			ids[j] = benchID(6, batch*benchBatchSize+j)
		}
		n, err := s.BulkDeleteCalls(ctx, benchPrincipal, ids)
		if err != nil {
			b.Fatal(err)
		}
		if n != benchBatchSize {
			b.Fatalf("deleted %d, want %d", n, benchBatchSize)
		}
		batch++
	}
}

func copyFile(b *testing.B, src string) string {
	b.Helper()
	dst := filepath.Join(b.TempDir(), "calls.db")
	in, err := os.Open(src)
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		b.Fatal(err)
	}
	if err := out.Close(); err != nil {
		b.Fatal(err)
	}
	return dst
}

// BenchmarkBulkDelete500SecureDelete is BenchmarkBulkDelete500 side by side with and without
// secure delete, each delete followed by the checkpoint the server runs after it. The variants
// take turns batch by batch on the same copies of the fixture (so that a load that changes during
// the run weighs on each alike), rotating which variant deletes which batch from one copy to the
// next; each reports the median of its deletes (ms/delete; cpu-ms/delete, the process's CPU time
// in them, less sensitive to the other jobs of a shared machine), of the checkpoints after them
// (ms/ckpt) and of the WAL frames a delete wrote, and the last variant its ratios to the first.
// The checkpoint is the background checkpointer's round after a deletion: a PASSIVE checkpoint,
// then a TRUNCATE one. before is callstore without secure delete: secure_delete OFF and the
// PASSIVE checkpoint alone (the next write starts the WAL over without truncating the file); off
// and fast turn secure_delete off or to FAST but truncate the WAL; on is what callstore runs. The
// database is opened without the background checkpointer and the checkpoints run on the writer
// after each delete, so no variant's checkpoint overlaps another's delete. Run it with a multiple
// of 32 iterations: -benchtime 96x.
func BenchmarkBulkDelete500SecureDelete(b *testing.B) {
	variants := []struct{ name, secureDelete, checkpoint string }{
		{"before", "OFF", ""},
		{"off", "OFF", "TRUNCATE"},
		{"fast", "FAST", "TRUNCATE"},
		{"on", "ON", "TRUNCATE"},
	}
	src := benchDB(b)
	ctx := context.Background()
	deletes, cpus, ckpts, pages := make([][]float64, len(variants)), make([][]float64, len(variants)), make([][]float64, len(variants)), make([][]float64, len(variants))
	var d *db.DB
	var s *store.Store
	batch, copies := benchBatches, 0
	ids := make([]string, benchBatchSize)
	defer func() {
		if d != nil {
			d.Close()
		}
	}()
	for b.Loop() {
		b.StopTimer()
		if batch == benchBatches {
			if d != nil {
				d.Close()
				os.RemoveAll(filepath.Dir(d.Path))
			}
			var err error
			if d, err = db.Open(ctx, copyFile(b, src), db.WithoutCheckpoints()); err != nil {
				b.Fatal(err)
			}
			if s, err = store.New(ctx, d); err != nil {
				b.Fatal(err)
			}
			batch = 0
			copies++
		}
		v := (batch + copies) % len(variants)
		if _, err := d.Write.ExecContext(ctx, "PRAGMA secure_delete = "+variants[v].secureDelete); err != nil {
			b.Fatal(err)
		}
		for j := range ids {
			ids[j] = benchID(6, batch*benchBatchSize+j)
		}
		b.StartTimer()
		cpu, began := processCPU(b), time.Now()
		n, err := s.BulkDeleteCalls(ctx, benchPrincipal, ids)
		deleted := time.Now()
		cpu = processCPU(b) - cpu
		if err != nil {
			b.Fatal(err)
		}
		var busy, frames, copied int64
		for i, mode := range []string{"PASSIVE", variants[v].checkpoint} {
			if mode == "" {
				continue
			}
			var f int64
			if err := d.Write.QueryRowContext(ctx, "PRAGMA wal_checkpoint("+mode+")").Scan(&busy, &f, &copied); err != nil || busy != 0 {
				b.Fatalf("%s checkpoint: busy %d, %v", mode, busy, err)
			}
			if i == 0 {
				frames = f
			}
		}
		done := time.Now()
		if n != benchBatchSize {
			b.Fatalf("deleted %d, want %d", n, benchBatchSize)
		}
		deletes[v] = append(deletes[v], float64(deleted.Sub(began))/1e6)
		ckpts[v] = append(ckpts[v], float64(done.Sub(deleted))/1e6)
		pages[v] = append(pages[v], float64(frames))
		cpus[v] = append(cpus[v], float64(cpu)/1e6)
		batch++
	}
	median := func(xs []float64) float64 {
		if len(xs) == 0 {
			return 0
		}
		xs = slices.Clone(xs)
		slices.Sort(xs)
		if len(xs)%2 == 1 {
			return xs[len(xs)/2]
		}
		return (xs[len(xs)/2-1] + xs[len(xs)/2]) / 2
	}
	for v, x := range variants {
		b.ReportMetric(median(deletes[v]), x.name+"-ms/delete")
		b.ReportMetric(median(cpus[v]), x.name+"-cpu-ms/delete")
		b.ReportMetric(median(ckpts[v]), x.name+"-ms/ckpt")
		b.ReportMetric(median(pages[v]), x.name+"-frames/delete")
	}
	last := len(variants) - 1
	if median(deletes[0]) > 0 {
		b.ReportMetric(median(deletes[last])/median(deletes[0]), variants[last].name+"/"+variants[0].name+"-delete")
		b.ReportMetric((median(deletes[last])+median(ckpts[last]))/(median(deletes[0])+median(ckpts[0])), variants[last].name+"/"+variants[0].name+"-delete+ckpt")
		if median(cpus[0]) > 0 {
			b.ReportMetric(median(cpus[last])/median(cpus[0]), variants[last].name+"/"+variants[0].name+"-cpu")
		}
	}
}
