package store_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/callstore/callstore/db/dbtest"
	"github.com/callstore/callstore/db/sqlcdb"
	"github.com/callstore/callstore/db/sqlctest"
	"github.com/callstore/callstore/store"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

// contactsFixture is a store over a fresh database of the suite's engine (db/dbtest) with a fixed
// clock and one company.
type contactsFixture struct {
	t       *testing.T
	s       *store.Store
	q       sqlcdb.Querier
	tq      sqlctest.Querier // queries only tests use
	now     time.Time
	company string
	seq     int
}

func newContactsFixture(t *testing.T) *contactsFixture {
	t.Helper()
	d := dbtest.Open(t)
	s, err := store.New(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	f := &contactsFixture{t: t, s: s, q: dbtest.Queries(d), tq: dbtest.TestQueries(d), now: time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)}
	f.s.Now = func() time.Time { return f.now }
	f.company = f.newCompany()
	return f
}

func (f *contactsFixture) newCompany() string {
	f.t.Helper()
	c, err := f.s.CreateCompany(context.Background(), "co")
	if err != nil {
		f.t.Fatal(err)
	}
	return c.ID
}

// contact creates a contact of company with one call per status, two messages and one log a call.
func (f *contactsFixture) contact(company string, statuses ...string) string {
	f.t.Helper()
	ctx := context.Background()
	f.seq++
	c, err := f.tq.CreateContact(ctx, sqlctest.CreateContactParams{ID: store.NewID(), CompanyID: company, Identifier: fmt.Sprint("+1555", f.seq), ContactType: "call", CreatedDate: f.now.UnixMicro()})
	if err != nil {
		f.t.Fatal(err)
	}
	for _, st := range statuses {
		id := store.NewID()
		mustContacts(f.t, f.q.CreateCall(ctx, sqlcdb.CreateCallParams{ID: id, CompanyID: company, ContactID: c.ID, ContactIdentifier: c.Identifier, ContactType: c.ContactType, ContactCreatedDate: c.CreatedDate, Status: st, Type: "outbound", CreatedDate: f.now.UnixMicro()}))
		for i := range 2 {
			mustContacts(f.t, f.q.CreateMessage(ctx, sqlcdb.CreateMessageParams{CallID: id, CreatedDate: f.now.UnixMicro() + int64(i), ID: store.NewID(), Role: "assistant"}))
		}
		mustContacts(f.t, f.q.CreateCallLog(ctx, sqlcdb.CreateCallLogParams{ID: store.NewID(), CompanyID: company, CallID: &id, Timestamp: f.now.UnixMicro(), Level: "INFO", Category: "CALL_LIFECYCLE", Event: "x"}))
	}
	return c.ID
}

func mustContacts(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// contactsSnapshot is every count the engine could change, for one company.
type contactsSnapshot struct{ contacts, calls, messages, logs, detached int64 }

func (f *contactsFixture) snapshot(company string) contactsSnapshot {
	f.t.Helper()
	ctx := context.Background()
	var s contactsSnapshot
	var err error
	s.contacts, err = f.q.CountContacts(ctx, sqlcdb.CountContactsParams{CompanyID: company})
	mustContacts(f.t, err)
	s.calls, err = f.tq.CountCallsOfCompany(ctx, company)
	mustContacts(f.t, err)
	s.messages, err = f.tq.CountMessagesOfCompany(ctx, company)
	mustContacts(f.t, err)
	l, err := f.tq.CountLogsOfCompany(ctx, company)
	mustContacts(f.t, err)
	s.logs, s.detached = l.Total, l.Detached
	return s
}

func contactOutcomes(d store.ContactDeletion) string {
	var out []string
	for _, r := range d.Results {
		out = append(out, string(r.Outcome))
	}
	return strings.Join(out, " ")
}

func TestDeleteContacts(t *testing.T) {
	ctx := context.Background()
	t.Run("OKPartial", func(t *testing.T) {
		f := newContactsFixture(t)
		p := store.Principal{CompanyID: f.company}
		a := f.contact(f.company, "completed", "failed")
		busy := f.contact(f.company, "dialing")
		other := f.newCompany()
		theirs := f.contact(other, "completed")
		before, otherBefore := f.snapshot(f.company), f.snapshot(other)

		d, err := f.s.DeleteContacts(ctx, p, []string{"{" + strings.ToUpper(a) + "}", "nope", busy, theirs, a, "nope", uuid.NewString()}, store.DeletePartial, false)
		mustContacts(t, err)
		if got := contactOutcomes(d); got != "deleted not_found has_active_call not_found not_found" {
			t.Fatalf("outcomes = %q", got)
		}
		if d.Results[0].ID != a || d.Results[1].ID != "nope" || d.Deleted != 1 || d.Failed != 4 || d.DryRun {
			t.Fatalf("deletion = %+v", d)
		}
		if d.Effects != (store.DeletionEffects{Calls: 2, Messages: 4, Logs: 2}) {
			t.Fatalf("effects = %+v", d.Effects)
		}
		want := contactsSnapshot{before.contacts - 1, before.calls - 2, before.messages - 4, before.logs, 2}
		if got := f.snapshot(f.company); got != want {
			t.Fatalf("after = %+v, want %+v", got, want)
		}
		if got := f.snapshot(other); got != otherBefore {
			t.Fatalf("other company changed: %+v", got)
		}
	})
	t.Run("ErrAllOrNoneChangesNothing", func(t *testing.T) {
		f := newContactsFixture(t)
		p := store.Principal{CompanyID: f.company}
		a := f.contact(f.company, "completed")
		b := f.contact(f.company, "completed", "in_progress")
		before := f.snapshot(f.company)
		for _, dry := range []bool{false, true} {
			d, err := f.s.DeleteContacts(ctx, p, []string{a, b}, store.DeleteAllOrNone, dry)
			mustContacts(t, err)
			if d.OK() || d.Deleted != 0 || contactOutcomes(d) != "skipped has_active_call" || d.Effects != (store.DeletionEffects{}) {
				t.Fatalf("deletion = %+v", d)
			}
			if got := f.snapshot(f.company); got != before {
				t.Fatalf("rows changed: %+v, want %+v", got, before)
			}
		}
	})
	t.Run("OKDryRunIsExact", func(t *testing.T) {
		f := newContactsFixture(t)
		p := store.Principal{CompanyID: f.company}
		ids := []string{f.contact(f.company, "completed", "no_answer"), f.contact(f.company), f.contact(f.company, "in_progress"), uuid.NewString()}
		before := f.snapshot(f.company)
		dry, err := f.s.DeleteContacts(ctx, p, ids, store.DeletePartial, true)
		mustContacts(t, err)
		if got := f.snapshot(f.company); got != before {
			t.Fatalf("dry run changed rows: %+v", got)
		}
		done, err := f.s.DeleteContacts(ctx, p, ids, store.DeletePartial, false)
		mustContacts(t, err)
		done.DryRun = true
		if !reflect.DeepEqual(dry, done) {
			t.Fatalf("dry run %+v, real run %+v", dry, done)
		}
		after := f.snapshot(f.company)
		if before.contacts-after.contacts != int64(dry.Deleted) || before.calls-after.calls != dry.Effects.Calls ||
			before.messages-after.messages != dry.Effects.Messages || after.detached-before.detached != dry.Effects.Logs {
			t.Fatalf("dry run %+v does not match the change %+v -> %+v", dry, before, after)
		}
	})
	t.Run("ErrLimits", func(t *testing.T) {
		f := newContactsFixture(t)
		p := store.Principal{CompanyID: f.company}
		if _, err := f.s.DeleteContacts(ctx, p, nil, store.DeletePartial, false); store.ErrorCode(err) != store.EINVALID {
			t.Fatalf("empty: err = %v", err)
		}
		many := make([]string, store.MaxContactDeleteIDs+1)
		if _, err := f.s.DeleteContacts(ctx, p, many, store.DeletePartial, false); store.ErrorCode(err) != store.EINVALID {
			t.Fatalf("too many: err = %v", err)
		}
		if _, err := f.s.DeleteContacts(ctx, p, []string{"x"}, "sometimes", false); store.ErrorCode(err) != store.EINTERNAL {
			t.Fatalf("bad mode: err = %v", err)
		}
	})
}

func TestAuthenticateAppJWT(t *testing.T) {
	ctx := context.Background()
	f := newContactsFixture(t)
	app, err := f.s.CreateApp(ctx, f.company, store.AppInput{Name: "aa", Restricted: true, Permissions: []string{"contacts.delete"}})
	mustContacts(t, err)
	if app.ClientSecret == "" || app.ClientID == "" || app.CompanyID != f.company || !reflect.DeepEqual(app.Permissions, []string{"contacts.delete"}) {
		t.Fatalf("app = %+v", app)
	}
	sign := func(claims jwt.MapClaims) string {
		s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(app.ClientSecret))
		mustContacts(t, err)
		return s
	}
	p, err := f.s.AuthenticateAppJWT(ctx, sign(jwt.MapClaims{"appId": app.ClientID, "exp": f.now.Add(time.Minute).Unix()}), f.company)
	mustContacts(t, err)
	if p.CompanyID != f.company || p.KeyID != app.ClientID || !p.Can("contacts.delete") || p.Can("contacts.view") {
		t.Fatalf("principal = %+v", p)
	}
	// exp is read against the store's clock; nbf too.
	for _, c := range []struct {
		claims jwt.MapClaims
		reason string
	}{
		{jwt.MapClaims{"appId": app.ClientID, "exp": f.now.Unix()}, store.ReasonTokenExpired},
		{jwt.MapClaims{"appId": app.ClientID, "nbf": f.now.Add(time.Hour).Unix()}, store.ReasonTokenInvalid},
		{jwt.MapClaims{"appId": app.ClientID, "exp": "tomorrow"}, store.ReasonTokenInvalid},
		{jwt.MapClaims{"appId": 42}, store.ReasonTokenInvalid},
	} {
		if _, err := f.s.AuthenticateAppJWT(ctx, sign(c.claims), f.company); store.ErrorReason(err) != c.reason {
			t.Fatalf("%v: err = %v, want %s", c.claims, err, c.reason)
		}
	}
	if _, err := f.s.CreateApp(ctx, uuid.NewString(), store.AppInput{Name: "x"}); store.ErrorCode(err) != store.ENOTFOUND {
		t.Fatalf("unknown company: err = %v", err)
	}
	if _, err := f.s.CreateApp(ctx, f.company, store.AppInput{Name: "x", Restricted: true, Permissions: []string{"contacts.nuke"}}); store.ErrorCode(err) != store.EINVALID {
		t.Fatalf("bad permission: err = %v", err)
	}
}

func TestAccessTokens(t *testing.T) {
	ctx := context.Background()
	f := newContactsFixture(t)
	k, err := f.s.CreateAPIKey(ctx, f.company, nil, store.APIKeyInput{Name: "k"})
	mustContacts(t, err)
	pair, err := f.s.IssueTokens(ctx, *k.Value, 10*time.Minute)
	mustContacts(t, err)
	if pair.UserID != k.ID || !pair.Access.Expires.Equal(f.now.Add(10*time.Minute)) || !pair.Refresh.Expires.Equal(f.now.Add(240*time.Minute)) {
		t.Fatalf("pair = %+v", pair)
	}
	p, err := f.s.AuthenticateAccessToken(ctx, pair.Access.Token, *k.Value)
	mustContacts(t, err)
	if p.CompanyID != f.company || p.KeyID != k.ID {
		t.Fatalf("principal = %+v", p)
	}
	f.now = f.now.Add(10*time.Minute - time.Microsecond)
	_, err = f.s.AuthenticateAccessToken(ctx, pair.Access.Token, *k.Value)
	mustContacts(t, err)
	f.now = f.now.Add(time.Microsecond)
	if _, err := f.s.AuthenticateAccessToken(ctx, pair.Access.Token, *k.Value); store.ErrorReason(err) != store.ReasonTokenExpired {
		t.Fatalf("at expiry: err = %v", err)
	}
	if _, err := f.s.AuthenticateAccessToken(ctx, pair.Refresh.Token, *k.Value); store.ErrorReason(err) != store.ReasonTokenInvalid {
		t.Fatalf("refresh token: err = %v", err)
	}
	if _, err := f.s.IssueTokens(ctx, "cs_nope", time.Minute); store.ErrorCode(err) != store.EUNAUTHORIZED {
		t.Fatalf("bad key: err = %v", err)
	}
	if _, err := f.s.IssueTokens(ctx, *k.Value, 0); store.ErrorCode(err) != store.EINVALID {
		t.Fatalf("zero ttl: err = %v", err)
	}
}
