package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/callstore/callstore/db/dbtest"
	"github.com/callstore/callstore/db/sqlcdb"
	"github.com/callstore/callstore/store"
)

// twiceEngine runs every write transaction twice: the first attempt in full and then rolled back,
// as PostgreSQL does to a transaction that fails to serialize at COMMIT, the second for real. The
// store's rules must answer as if the first attempt never happened.
type twiceEngine struct{ dbtest.Engine }

var errAgain = errors.New("serialization failure (simulated)")

func (e twiceEngine) twice(run func(context.Context, func(sqlcdb.Querier) error) error, ctx context.Context, fn func(sqlcdb.Querier) error) error {
	err := run(ctx, func(q sqlcdb.Querier) error {
		if err := fn(q); err != nil {
			return err
		}
		return errAgain // everything fn wrote is rolled back
	})
	if !errors.Is(err, errAgain) {
		return err
	}
	return run(ctx, fn)
}

func (e twiceEngine) InTx(ctx context.Context, fn func(sqlcdb.Querier) error) error {
	return e.twice(e.Engine.InTx, ctx, fn)
}

func (e twiceEngine) InBulkTx(ctx context.Context, fn func(sqlcdb.Querier) error) error {
	return e.twice(e.Engine.InBulkTx, ctx, fn)
}

// TestRulesSurviveARetriedTransaction: imports, bulk deletes, contact deletes and purges report
// the same results, and leave exactly one audit record with the true counts, when each of their
// transactions is run a second time after a rolled-back first attempt.
func TestRulesSurviveARetriedTransaction(t *testing.T) {
	ctx := context.Background()
	s, err := store.New(ctx, twiceEngine{dbtest.Open(t)})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { return now }
	co, err := s.CreateCompany(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	p := store.Principal{CompanyID: co.ID}

	// An import of 6 ended calls, 1 active call and 1 bad line.
	old := now.AddDate(0, 0, -100)
	var lines []store.ImportLine
	var ended []string
	for i := range 6 {
		id := store.NewID()
		ended = append(ended, id)
		lines = append(lines, store.ImportLine{Line: i + 1, Call: store.ImportCall{Call: store.CallInput{
			ID: id, Status: store.StatusCompleted, ToNumber: "+34600000001", CreatedDate: &old,
		}, Messages: []store.MessageInput{{Role: "user", Content: ptr("hola")}}}})
	}
	lines = append(lines,
		store.ImportLine{Line: 7, Call: store.ImportCall{Call: store.CallInput{Status: "dialing", ToNumber: "+34600000002"}}},
		store.ImportLine{Line: 8, Call: store.ImportCall{Call: store.CallInput{Status: "nonsense", ToNumber: "+34600000003"}}},
	)
	res, err := s.Import(ctx, p, slices.Values(lines))
	if err != nil {
		t.Fatal(err)
	}
	if res.Imported != 7 || res.FailedCount != 1 || len(res.Failed) != 1 {
		t.Fatalf("import: imported %d, failed_count %d, failed %v; want 7, 1 and one failure", res.Imported, res.FailedCount, res.Failed)
	}

	// A bulk delete of 2 ended calls reports 2, and records 2, once.
	n, err := s.BulkDeleteCalls(ctx, p, ended[:2])
	if err != nil || n != 2 {
		t.Fatalf("bulk delete = %d, %v; want 2", n, err)
	}

	// A contact delete of the busy contact and an unknown id: 2 failures, not 4.
	busy, err := s.ListContacts(ctx, p, store.ContactFilter{Identifier: "+34600000002"}, store.PageRequest{Limit: 10})
	if err != nil || len(busy.Data) != 1 {
		t.Fatalf("contact of the active call: %v %v", busy, err)
	}
	cd, err := s.DeleteContacts(ctx, p, []string{busy.Data[0].ID, store.NewID()}, store.DeletePartial, false)
	if err != nil || cd.Failed != 2 || cd.Deleted != 0 {
		t.Fatalf("contact delete: failed %d, deleted %d, %v; want 2 and 0", cd.Failed, cd.Deleted, err)
	}

	// A purge of the 4 ended calls left: 4, in one record.
	to := now.AddDate(0, 0, -30)
	pr, err := s.Purge(ctx, p, store.PurgeFilter{Created: store.DateRange{To: &to}}, false, nil)
	if err != nil || pr.Count != 4 || pr.DeletionID == nil {
		t.Fatalf("purge = %+v, %v; want 4 calls and a record", pr, err)
	}

	page, err := s.ListDeletions(ctx, p, store.DateRange{}, store.PageRequest{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range page.Data {
		got = append(got, fmt.Sprintf("%s:%d", d.Kind, d.Deleted.Calls))
	}
	if !slices.Equal(got, []string{"purge:4", "calls:2"}) && !slices.Equal(got, []string{"calls:2", "purge:4"}) {
		t.Fatalf("audit records %v, want one bulk delete of 2 calls and one purge of 4", got)
	}
}

func ptr[T any](v T) *T { return &v }
