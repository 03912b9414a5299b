package handlers_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

// nativeResult is the body of POST /v1/contact/bulk-delete (and, with the envelope, of its 409).
type nativeResult struct {
	Deleted         int    `json:"deleted"`
	CallsDeleted    int64  `json:"calls_deleted"`
	MessagesDeleted int64  `json:"messages_deleted"`
	LogsDetached    int64  `json:"logs_detached"`
	DryRun          bool   `json:"dry_run"`
	Status          string `json:"status"`
	ErrorCode       string `json:"error_code"`
	Results         []struct {
		ID      string `json:"id"`
		Outcome string `json:"outcome"`
	} `json:"results"`
}

func (n nativeResult) outcomes() string {
	var b strings.Builder
	for i, r := range n.Results {
		if i > 0 {
			b.WriteString(" ")
		}
		b.WriteString(r.Outcome)
	}
	return b.String()
}

func TestContactBulkDeleteNative(t *testing.T) {
	const path = "/v1/contact/bulk-delete"
	t.Run("OKPartial", func(t *testing.T) {
		e := newEnv(t)
		done, _ := e.seedContact(e.Company.ID, "completed", "failed") // 2 calls, 4 messages, 2 logs
		busy, _ := e.seedContact(e.Company.ID, "completed", "in_progress")
		keep, _ := e.seedContact(e.Company.ID, "completed")
		other, _ := e.newCompany("other")
		theirs, _ := e.seedContact(other.ID, "completed")
		unknown := uuid.NewString()
		before := e.rowsOf(e.Company.ID)

		r := e.do("POST", path, e.Key, map[string]any{"contact_ids": []string{done, busy, unknown, theirs, strings.ToUpper(done)}})
		wantStatus(t, r, http.StatusOK)
		var got nativeResult
		r.JSON(t, &got)
		if got.Deleted != 1 || got.CallsDeleted != 2 || got.MessagesDeleted != 4 || got.LogsDetached != 2 || got.DryRun {
			t.Fatalf("body = %s", r.Body)
		}
		if o := got.outcomes(); o != "deleted has_active_call not_found not_found" {
			t.Fatalf("outcomes = %q; body %s", o, r.Body)
		}
		if got.Results[0].ID != done || got.Results[3].ID != theirs {
			t.Fatalf("results not in input order: %s", r.Body)
		}
		e.wantCounts(t, e.Company.ID, rowCounts{Contacts: before.Contacts - 1, Calls: before.Calls - 2, Messages: before.Messages - 4, Logs: before.Logs, Detached: 2})
		if e.contactExists(e.Company.ID, done) || !e.contactExists(e.Company.ID, busy) || !e.contactExists(e.Company.ID, keep) || !e.contactExists(other.ID, theirs) {
			t.Fatal("wrong contacts deleted")
		}
	})
	t.Run("ErrAllOrNoneLeavesEverything", func(t *testing.T) {
		e := newEnv(t)
		a, _ := e.seedContact(e.Company.ID, "completed", "no_answer")
		b, _ := e.seedContact(e.Company.ID, "dialing")
		c, _ := e.seedContact(e.Company.ID, "transferred")
		before := e.rowsOf(e.Company.ID)
		for _, ids := range [][]string{{a, b, c}, {a, uuid.NewString(), c}} {
			r := e.do("POST", path, e.Key, map[string]any{"contact_ids": ids, "all_or_none": true})
			wantError(t, r, http.StatusConflict, "CONTACTS_NOT_DELETABLE")
			var got nativeResult
			r.JSON(t, &got)
			want := "skipped has_active_call skipped"
			if ids[1] != b {
				want = "skipped not_found skipped"
			}
			if o := got.outcomes(); o != want {
				t.Fatalf("outcomes = %q, want %q", o, want)
			}
			e.wantCounts(t, e.Company.ID, before)
		}
		// The same ids without the failing one go through.
		r := e.do("POST", path, e.Key, map[string]any{"contact_ids": []string{a, c}, "all_or_none": true})
		wantStatus(t, r, http.StatusOK)
		var got nativeResult
		r.JSON(t, &got)
		if got.Deleted != 2 || got.CallsDeleted != 3 || got.outcomes() != "deleted deleted" {
			t.Fatalf("body = %s", r.Body)
		}
	})
	t.Run("OKDryRun", func(t *testing.T) {
		e := newEnv(t)
		a, _ := e.seedContact(e.Company.ID, "completed", "failed", "completed")
		b, _ := e.seedContact(e.Company.ID, "in_progress")
		body := map[string]any{"contact_ids": []string{a, b, uuid.NewString()}, "dry_run": true}
		before := e.rowsOf(e.Company.ID)
		r := e.do("POST", path, e.Key, body)
		wantStatus(t, r, http.StatusOK)
		var dry nativeResult
		r.JSON(t, &dry)
		if !dry.DryRun || dry.Deleted != 1 || dry.CallsDeleted != 3 || dry.MessagesDeleted != 6 || dry.LogsDetached != 3 {
			t.Fatalf("dry run = %s", r.Body)
		}
		e.wantCounts(t, e.Company.ID, before)

		// A dry run of a failing all_or_none answers what the real request would: 409.
		wantError(t, e.do("POST", path, e.Key, map[string]any{"contact_ids": []string{a, b}, "all_or_none": true, "dry_run": true}), http.StatusConflict, "CONTACTS_NOT_DELETABLE")
		e.wantCounts(t, e.Company.ID, before)

		// The real run does exactly what the dry run said.
		body["dry_run"] = false
		r = e.do("POST", path, e.Key, body)
		wantStatus(t, r, http.StatusOK)
		var done nativeResult
		r.JSON(t, &done)
		done.DryRun = true
		if fmt.Sprint(done) != fmt.Sprint(dry) {
			t.Fatalf("real run %+v differs from dry run %+v", done, dry)
		}
	})
	t.Run("ErrValidation", func(t *testing.T) {
		e := newEnv(t)
		many := make([]string, 501)
		for i := range many {
			many[i] = uuid.NewString()
		}
		for name, c := range map[string]struct {
			body any
			loc  []any
		}{
			"missing":   {map[string]any{}, []any{"body", "contact_ids"}},
			"empty":     {map[string]any{"contact_ids": []string{}}, []any{"body", "contact_ids"}},
			"tooMany":   {map[string]any{"contact_ids": many}, []any{"body", "contact_ids"}},
			"notUUID":   {map[string]any{"contact_ids": []string{uuid.NewString(), "nope"}}, []any{"body", "contact_ids", 1}},
			"notList":   {map[string]any{"contact_ids": "x"}, []any{"body", "contact_ids"}},
			"badFlag":   {map[string]any{"contact_ids": []string{uuid.NewString()}, "all_or_none": "yes"}, []any{"body", "all_or_none"}},
			"badDry":    {map[string]any{"contact_ids": []string{uuid.NewString()}, "dry_run": 1}, []any{"body", "dry_run"}},
			"notJSON":   {"{", []any{"body", 1}},
			"notObject": {"[]", []any{"body"}},
		} {
			t.Run(name, func(t *testing.T) { wantValidation(t, e.do("POST", path, e.Key, c.body), c.loc...) })
		}
		wantError(t, e.do("POST", path, e.Key, `{"contact_ids":["`+strings.Repeat("a", 1<<20)+`"]}`), http.StatusRequestEntityTooLarge, "PAYLOAD_TOO_LARGE")
	})
	t.Run("ErrAuth", func(t *testing.T) {
		e := newEnv(t)
		id, _ := e.seedContact(e.Company.ID, "completed")
		body := map[string]any{"contact_ids": []string{id}}
		wantError(t, e.do("POST", path, "", body), http.StatusUnauthorized, "INVALID_API_KEY")
		r := e.do("POST", path, e.keyWith("contacts.view"), body)
		wantError(t, r, http.StatusForbidden, "INTERNAL_SERVER_ERROR")
		if m := r.Map(t)["message"]; m != "Missing required permissions to delete contacts" {
			t.Fatalf("message = %q", m)
		}
		wantStatus(t, e.do("POST", path, e.keyWith("contacts.delete"), body), http.StatusOK)
	})
	t.Run("TenantIsolation", func(t *testing.T) {
		e := newEnv(t)
		other, otherKey := e.newCompany("other")
		theirs, _ := e.seedContact(other.ID, "completed")
		before := e.rowsOf(other.ID)
		r := e.do("POST", path, e.Key, map[string]any{"contact_ids": []string{theirs}})
		wantStatus(t, r, http.StatusOK)
		var got nativeResult
		r.JSON(t, &got)
		if got.Deleted != 0 || got.outcomes() != "not_found" {
			t.Fatalf("body = %s", r.Body)
		}
		e.wantCounts(t, other.ID, before)
		wantError(t, e.do("GET", "/v1/contact/"+theirs, e.Key, nil), http.StatusNotFound, "CONTACT_NOT_FOUND")
		wantStatus(t, e.do("GET", "/v1/contact/"+theirs, otherKey, nil), http.StatusOK)
	})
}

func TestContactGetAndList(t *testing.T) {
	e := newEnv(t)
	var ids []string
	for range 5 {
		id, _ := e.seedContact(e.Company.ID)
		ids = append(ids, id)
		e.Clock.Advance(time.Second)
	}
	other, _ := e.newCompany("other")
	e.seedContact(other.ID)

	t.Run("Get", func(t *testing.T) {
		r := e.do("GET", "/v1/contact/"+ids[0], e.Key, nil)
		wantStatus(t, r, http.StatusOK)
		m := r.Map(t)
		if m["id"] != ids[0] || m["contact_type"] != "call" || m["identifier"] == "" || m["created_date"] == nil || len(m) != 4 {
			t.Fatalf("contact = %s", r.Body)
		}
		wantError(t, e.do("GET", "/v1/contact/"+uuid.NewString(), e.Key, nil), http.StatusNotFound, "CONTACT_NOT_FOUND")
		wantValidation(t, e.do("GET", "/v1/contact/nope", e.Key, nil), "path", "id")
		wantError(t, e.do("GET", "/v1/contact/"+ids[0], e.keyWith("contacts.delete"), nil), http.StatusForbidden, "INTERNAL_SERVER_ERROR")
		wantError(t, e.do("GET", "/v1/contact/"+ids[0], "", nil), http.StatusUnauthorized, "INVALID_API_KEY")
	})
	t.Run("ListCursor", func(t *testing.T) {
		type page struct {
			Data []struct {
				ID         string `json:"id"`
				Identifier string `json:"identifier"`
			} `json:"data"`
			FirstID     *string `json:"first_id"`
			LastID      *string `json:"last_id"`
			HasMore     bool    `json:"has_more"`
			CurrentPage *int64  `json:"current_page"`
			TotalPages  *int64  `json:"total_pages"`
		}
		get := func(q string) page {
			t.Helper()
			r := e.do("GET", "/v1/contact/?"+q, e.Key, nil)
			wantStatus(t, r, http.StatusOK)
			var p page
			r.JSON(t, &p)
			return p
		}
		p := get("order=asc&limit=2")
		if len(p.Data) != 2 || !p.HasMore || p.Data[0].ID != ids[0] || *p.LastID != ids[1] || p.CurrentPage != nil {
			t.Fatalf("first page = %+v", p)
		}
		p = get("order=asc&limit=2&after=" + *p.LastID)
		if len(p.Data) != 2 || p.Data[0].ID != ids[2] || !p.HasMore {
			t.Fatalf("second page = %+v", p)
		}
		p = get("order=asc&limit=2&after=" + *p.LastID)
		if len(p.Data) != 1 || p.Data[0].ID != ids[4] || p.HasMore {
			t.Fatalf("last page = %+v", p)
		}
		p = get("limit=2&before=" + ids[1]) // desc: the ones newer than ids[1]
		if len(p.Data) != 2 || p.Data[0].ID != ids[3] || p.Data[1].ID != ids[2] {
			t.Fatalf("before page = %+v", p)
		}
		p = get("page=2&limit=2")
		if len(p.Data) != 2 || p.Data[0].ID != ids[2] || *p.CurrentPage != 2 || *p.TotalPages != 3 || !p.HasMore {
			t.Fatalf("page mode = %+v", p)
		}
		all := get("")
		if len(all.Data) != 5 {
			t.Fatalf("list leaks or misses rows: %+v", all)
		}
		one := get("identifier=" + strings.ReplaceAll(all.Data[2].Identifier, "+", "%2B"))
		if len(one.Data) != 1 || one.Data[0].ID != all.Data[2].ID {
			t.Fatalf("identifier filter = %+v", one)
		}
		if p := get("contact_type=web"); len(p.Data) != 0 {
			t.Fatalf("contact_type filter = %+v", p)
		}
		if p := get("contact_type=call&page=1"); len(p.Data) != 5 || *p.TotalPages != 1 {
			t.Fatalf("contact_type filter = %+v", p)
		}
	})
	t.Run("ListErrors", func(t *testing.T) {
		wantValidation(t, e.do("GET", "/v1/contact/?contact_type=fax", e.Key, nil), "query", "contact_type")
		wantValidation(t, e.do("GET", "/v1/contact/?limit=0", e.Key, nil), "query", "limit")
		wantValidation(t, e.do("GET", "/v1/contact/?after=nope", e.Key, nil), "query", "after")
		wantError(t, e.do("GET", "/v1/contact/?after="+ids[0]+"&before="+ids[1], e.Key, nil), http.StatusUnprocessableEntity, "INVALID_PAGINATION_PARAMETERS")
		wantError(t, e.do("GET", "/v1/contact/?after="+uuid.NewString(), e.Key, nil), http.StatusBadRequest, "NOT_VALID_FIELD")
		wantError(t, e.do("GET", "/v1/contact/", e.keyWith("calls.view"), nil), http.StatusForbidden, "INTERNAL_SERVER_ERROR")
		wantError(t, e.do("GET", "/v1/contact/", "", nil), http.StatusUnauthorized, "INVALID_API_KEY")
	})
}
