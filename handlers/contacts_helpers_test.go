package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/callstore/callstore/db/sqlcdb"
	"github.com/callstore/callstore/db/sqlctest"
	"github.com/callstore/callstore/store"

	"github.com/golang-jwt/jwt/v5"
)

// seedSeq makes contact identifiers unique across one test binary.
var seedSeq atomic.Int64

// seedContact creates a contact of company with one call per status; each call gets two messages
// and one call_log row. It returns the contact's id and its calls' ids.
func (e *testEnv) seedContact(companyID string, statuses ...string) (string, []string) {
	e.t.Helper()
	ctx := context.Background()
	q := e.queries()
	now := e.Clock.Now().UnixMicro() + seedSeq.Add(1)
	c, err := e.testQueries().CreateContact(ctx, sqlctest.CreateContactParams{
		ID: store.NewID(), CompanyID: companyID, Identifier: fmt.Sprintf("+3460000%04d", seedSeq.Add(1)), ContactType: "call", CreatedDate: now,
	})
	if err != nil {
		e.t.Fatal(err)
	}
	var calls []string
	for _, st := range statuses {
		id := store.NewID()
		if err := q.CreateCall(ctx, sqlcdb.CreateCallParams{ID: id, CompanyID: companyID, ContactID: c.ID, ContactIdentifier: c.Identifier, ContactType: c.ContactType, ContactCreatedDate: c.CreatedDate, Status: st, Type: "inbound", CreatedDate: now}); err != nil {
			e.t.Fatal(err)
		}
		for i := range 2 {
			text := "hello"
			if err := q.CreateMessage(ctx, sqlcdb.CreateMessageParams{CallID: id, CreatedDate: now + int64(i), ID: store.NewID(), Role: "user", Content: &text}); err != nil {
				e.t.Fatal(err)
			}
		}
		if err := q.CreateCallLog(ctx, sqlcdb.CreateCallLogParams{ID: store.NewID(), CompanyID: companyID, CallID: &id, Timestamp: now, Level: "INFO", Category: "CALL_LIFECYCLE", Event: "started"}); err != nil {
			e.t.Fatal(err)
		}
		calls = append(calls, id)
	}
	return c.ID, calls
}

// rowCounts is what a company holds: contacts, calls, messages, call_log rows, and how many of
// those rows have lost their call.
type rowCounts struct {
	Contacts, Calls, Messages, Logs, Detached int64
}

func (e *testEnv) rowsOf(companyID string) rowCounts {
	e.t.Helper()
	ctx := context.Background()
	q, tq := e.queries(), e.testQueries()
	var c rowCounts
	var err error
	if c.Contacts, err = q.CountContacts(ctx, sqlcdb.CountContactsParams{CompanyID: companyID}); err != nil {
		e.t.Fatal(err)
	}
	if c.Calls, err = tq.CountCallsOfCompany(ctx, companyID); err != nil {
		e.t.Fatal(err)
	}
	if c.Messages, err = tq.CountMessagesOfCompany(ctx, companyID); err != nil {
		e.t.Fatal(err)
	}
	logs, err := tq.CountLogsOfCompany(ctx, companyID)
	if err != nil {
		e.t.Fatal(err)
	}
	c.Logs, c.Detached = logs.Total, logs.Detached
	return c
}

// wantCounts fails the test unless the company holds exactly want.
func (e *testEnv) wantCounts(tb testing.TB, companyID string, want rowCounts) {
	tb.Helper()
	if got := e.rowsOf(companyID); got != want {
		tb.Fatalf("rows = %+v, want %+v", got, want)
	}
}

// contactExists reports whether the contact row is still there.
func (e *testEnv) contactExists(companyID, id string) bool {
	e.t.Helper()
	_, err := e.queries().GetContact(context.Background(), sqlcdb.GetContactParams{CompanyID: companyID, ID: id})
	return err == nil
}

// newApp creates a Kore.ai-style app of company; perms restrict it (none: unrestricted).
func (e *testEnv) newApp(companyID string, perms ...string) store.App {
	e.t.Helper()
	a, err := e.Store.CreateApp(context.Background(), companyID, store.AppInput{Name: "agentassist", Restricted: len(perms) > 0, Permissions: perms})
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}

// signJWT signs claims with method and key.
func signJWT(tb testing.TB, method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	tb.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// appJWT is a valid token of app, expiring in an hour of the env's clock.
func (e *testEnv) appJWT(a store.App) string {
	return signJWT(e.t, jwt.SigningMethodHS256, []byte(a.ClientSecret), jwt.MapClaims{"appId": a.ClientID, "exp": e.Clock.Now().Add(time.Hour).Unix()})
}

// koreaiHeaders are the headers of a Kore.ai-style request.
func koreaiHeaders(token, accountID string) http.Header {
	h := http.Header{"Content-Type": {"application/json"}}
	if token != "" {
		h.Set("auth", token)
	}
	if accountID != "" {
		h.Set("accountId", accountID)
	}
	return h
}

// accessToken issues a GenLogs-style access token for key through the API.
func (e *testEnv) accessToken(key string) string {
	e.t.Helper()
	r := e.doHeaders("POST", "/auth/token", http.Header{"X-Api-Key": {key}}, nil)
	wantStatus(e.t, r, http.StatusOK)
	var body struct {
		Access struct {
			Token string `json:"token"`
		} `json:"access_token_data"`
	}
	r.JSON(e.t, &body)
	return body.Access.Token
}

// genlogsHeaders are the headers of a GenLogs-style request.
func genlogsHeaders(token, key string) http.Header {
	h := http.Header{}
	if token != "" {
		h.Set("Access-Token", token)
	}
	if key != "" {
		h.Set("X-Api-Key", key)
	}
	return h
}

// wantDetail checks a GenLogs-style {"detail": msg}.
func wantDetail(tb testing.TB, r *response, status int, msg string) {
	tb.Helper()
	wantStatus(tb, r, status)
	var body map[string]any
	r.JSON(tb, &body)
	if body["detail"] != msg || len(body) != 1 {
		tb.Fatalf("body = %s, want {\"detail\": %q}", r.Body, msg)
	}
}

// wantKoreaiError checks a Kore.ai-style {"errors":[{"msg","code"}]}.
func wantKoreaiError(tb testing.TB, r *response, status int, code string) {
	tb.Helper()
	wantStatus(tb, r, status)
	var body struct {
		Errors []struct {
			Msg  string `json:"msg"`
			Code string `json:"code"`
		} `json:"errors"`
	}
	r.JSON(tb, &body)
	if len(body.Errors) != 1 || body.Errors[0].Code != code || body.Errors[0].Msg == "" {
		tb.Fatalf("body = %s, want one error with code %s and a msg", r.Body, code)
	}
}
