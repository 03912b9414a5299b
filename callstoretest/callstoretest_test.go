package callstoretest_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/callstore/callstore/callstoretest"
	"github.com/callstore/callstore/client"
	"github.com/callstore/callstore/store"
)

func ptr[T any](v T) *T { return &v }

func TestServer(t *testing.T) {
	srv := callstoretest.New(t)
	ctx := context.Background()
	call := srv.AddCall(t, store.ImportCall{
		Call: store.CallInput{Status: store.StatusCompleted, Type: store.TypeInbound,
			Contact:   &store.ContactInput{Identifier: "+34600111222"},
			StartTime: ptr(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)), EndTime: ptr(time.Date(2026, 3, 1, 9, 3, 20, 0, time.UTC))},
		Messages: []store.MessageInput{{Role: "assistant", Content: ptr("Hola")}, {Role: "user", Content: ptr("Una cita")}},
		Logs:     []store.LogInput{{Level: "INFO", Category: "CALL_LIFECYCLE", Event: "call.ended"}},
	})
	if call.Duration == nil || *call.Duration != 200 || call.Contact.Identifier != "+34600111222" {
		t.Fatalf("AddCall did not go through the domain (duration, contact): %+v", call)
	}

	c := srv.Client()
	list, err := c.ListCallsV1CallGetWithResponse(ctx, nil)
	if err != nil || list.JSON200 == nil || len(list.JSON200.Data) != 1 || list.JSON200.Data[0].Id.String() != call.ID {
		t.Fatalf("list: %v %s", err, list.Body)
	}
	msgs, err := c.GetCallMessagesV1CallIdMessageGetWithResponse(ctx, list.JSON200.Data[0].Id, nil)
	if err != nil || msgs.JSON200 == nil || len(msgs.JSON200.Data) != 2 {
		t.Fatalf("messages: %v %s", err, msgs.Body)
	}

	t.Run("HTTPClient", func(t *testing.T) {
		resp, err := srv.HTTPClient().Get(srv.URL + "/v1/call/" + call.ID)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d", resp.StatusCode)
		}
	})
	t.Run("AddKey", func(t *testing.T) {
		viewer := srv.ClientWithKey(srv.AddKey(t, "calls.view"))
		if r, err := viewer.ListCallsV1CallGetWithResponse(ctx, nil); err != nil || r.StatusCode() != http.StatusOK {
			t.Fatalf("a calls.view key cannot list: %v %d", err, r.StatusCode())
		}
		if r, err := viewer.GetCallMessagesV1CallIdMessageGetWithResponse(ctx, list.JSON200.Data[0].Id, nil); err != nil || r.StatusCode() != http.StatusForbidden {
			t.Fatalf("a calls.view key read a transcript: %v %d", err, r.StatusCode())
		}
	})
	t.Run("AddCompany", func(t *testing.T) {
		other, key := srv.AddCompany(t, "other")
		srv.AddCallOf(t, other.ID, store.ImportCall{Call: store.CallInput{Status: store.StatusFailed}})
		r, err := srv.ClientWithKey(key).ListCallsV1CallGetWithResponse(ctx, nil)
		if err != nil || r.JSON200 == nil || len(r.JSON200.Data) != 1 || r.JSON200.Data[0].Id.String() == call.ID {
			t.Fatalf("the other company's list: %v %s", err, r.Body)
		}
	})
	t.Run("AddApp", func(t *testing.T) {
		contact := srv.AddCall(t, store.ImportCall{Call: store.CallInput{Status: store.StatusCompleted, Contact: &store.ContactInput{Identifier: "+34600999999"}}}).Contact
		_, jwt := srv.AddApp(t, "contacts.delete")
		req, _ := http.NewRequest("DELETE", srv.URL+"/agentassist/api/v1/public/st-1/contacts/"+contact.ID, nil)
		req.Header.Set("auth", jwt)
		req.Header.Set("accountId", srv.Company.ID)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("Kore.ai delete with AddApp's JWT: %d", resp.StatusCode)
		}
	})
}

// TestClockAndTokenTTL: with an injected clock, access tokens expire without waiting.
func TestClockAndTokenTTL(t *testing.T) {
	clock := callstoretest.NewClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	srv := callstoretest.New(t, callstoretest.WithClock(clock), callstoretest.WithTokenTTL(time.Minute))
	contact := srv.AddCall(t, store.ImportCall{Call: store.CallInput{Status: store.StatusCompleted}}).Contact
	if !contact.CreatedDate.Equal(clock.Now()) {
		t.Fatalf("created %s, the clock says %s", contact.CreatedDate, clock.Now())
	}
	token := srv.AccessToken(t, srv.Key)
	del := func() int {
		req, _ := http.NewRequest("DELETE", srv.URL+"/onboarded-carrier/contacts/"+contact.ID, nil)
		req.Header.Set("Access-Token", token)
		req.Header.Set("X-Api-Key", srv.Key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	clock.Advance(2 * time.Minute)
	if got := del(); got != http.StatusUnauthorized {
		t.Fatalf("expired token: %d, want 401", got)
	}
	clock.Advance(-90 * time.Second)
	if got := del(); got != http.StatusOK {
		t.Fatalf("valid token: %d, want 200", got)
	}
}

// TestParallelIsolation: fifty servers in parallel tests each see only their own data, and a key
// of one is unknown to the others.
func TestParallelIsolation(t *testing.T) {
	keys := make([]string, 50)
	urls := make([]string, 50)
	t.Run("group", func(t *testing.T) {
		for i := range 50 {
			t.Run(fmt.Sprint(i), func(t *testing.T) {
				t.Parallel()
				srv := callstoretest.New(t)
				keys[i], urls[i] = srv.Key, srv.URL
				ident := fmt.Sprintf("+346%08d", i)
				for range 3 {
					srv.AddCall(t, store.ImportCall{Call: store.CallInput{Status: store.StatusCompleted, Contact: &store.ContactInput{Identifier: ident}}})
				}
				time.Sleep(20 * time.Millisecond) // let the others write meanwhile
				r, err := srv.Client().ListCallsV1CallGetWithResponse(context.Background(), &client.ListCallsV1CallGetParams{Limit: ptr(client.Limit50(1000))})
				if err != nil || r.JSON200 == nil {
					t.Fatalf("list: %v", err)
				}
				if len(r.JSON200.Data) != 3 {
					t.Fatalf("server %d sees %d calls, want its own 3", i, len(r.JSON200.Data))
				}
				for _, c := range r.JSON200.Data {
					if c.Contact.Identifier != ident {
						t.Fatalf("server %d sees a call of %s", i, c.Contact.Identifier)
					}
				}
			})
		}
	})
	// Every server is closed now; one more must not know any of their keys.
	srv := callstoretest.New(t)
	for i, k := range keys {
		if k == "" || k == srv.Key || urls[i] == srv.URL {
			t.Fatalf("server %d: key or URL shared", i)
		}
		if r, err := srv.ClientWithKey(k).ListCallsV1CallGetWithResponse(context.Background(), nil); err != nil || r.StatusCode() != http.StatusUnauthorized {
			t.Fatalf("server %d's key accepted by another server: %v %d", i, err, r.StatusCode())
		}
	}
}

// BenchmarkNew measures what a test pays for its own server: New (database, schema, company,
// key, HTTP server) plus the first request, and closing it all.
func BenchmarkNew(b *testing.B) {
	for b.Loop() {
		srv, err := callstoretest.Start()
		if err != nil {
			b.Fatal(err)
		}
		resp, err := srv.HTTPClient().Get(srv.URL + "/v1/call/")
		if err != nil || resp.StatusCode != http.StatusOK {
			b.Fatal(err, resp.StatusCode)
		}
		resp.Body.Close()
		srv.Close()
	}
}

func TestStartClose(t *testing.T) {
	srv, err := callstoretest.Start()
	if err != nil {
		t.Fatal(err)
	}
	srv.Close()
	srv.Close() // idempotent
	if _, err := http.Get(srv.URL + "/openapi.json"); err == nil || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("server still answers after Close: %v", err)
	}
}
