package store_test

import (
	"context"
	"testing"

	"github.com/callstore/callstore/db/dbtest"
	"github.com/callstore/callstore/store"
)

func TestBulkDeleteCallsBounds(t *testing.T) {
	s, err := store.New(context.Background(), dbtest.Open(t))
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.CreateCompany(context.Background(), "acme")
	if err != nil {
		t.Fatal(err)
	}
	p := store.Principal{CompanyID: c.ID}
	tooMany := make([]string, store.MaxBulkDelete+1)
	for i := range tooMany {
		tooMany[i] = store.NewID()
	}
	for name, ids := range map[string][]string{"None": nil, "TooMany": tooMany} {
		t.Run(name, func(t *testing.T) {
			n, err := s.BulkDeleteCalls(context.Background(), p, ids)
			if store.ErrorCode(err) != store.EINVALID || n != 0 {
				t.Fatalf("BulkDeleteCalls(%d ids) = %d, %v; want 0 and an EINVALID error", len(ids), n, err)
			}
		})
	}
	t.Run("UnknownIDs", func(t *testing.T) {
		n, err := s.BulkDeleteCalls(context.Background(), p, tooMany[:store.MaxBulkDelete])
		if err != nil || n != 0 {
			t.Fatalf("BulkDeleteCalls(unknown ids) = %d, %v; want 0, nil", n, err)
		}
	})
}
