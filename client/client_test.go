package client_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/callstore/callstore/client"
	"github.com/callstore/callstore/db"
	"github.com/callstore/callstore/handlers"
	"github.com/callstore/callstore/store"

	openapi_types "github.com/oapi-codegen/runtime/types"
)

// newServer starts the whole HTTP API over an in-memory database and returns a client of it
// holding an unrestricted key of a fresh company.
func newServer(t *testing.T) *client.ClientWithResponses {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	s, err := store.New(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(handlers.NewServer(s, slog.New(slog.NewTextHandler(io.Discard, nil)), handlers.Config{}))
	t.Cleanup(srv.Close)
	co, err := s.CreateCompany(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	k, err := s.CreateAPIKey(ctx, co.ID, nil, store.APIKeyInput{Name: "client test"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.NewClientWithResponses(srv.URL, client.WithRequestEditorFn(func(_ context.Context, r *http.Request) error {
		r.Header.Set("Authorization", "Bearer "+*k.Value)
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func ptr[T any](v T) *T { return &v }

// TestGeneratedClient drives the calls API through the generated client: record a finished call,
// give it a transcript and an audit entry, list it, bulk-delete it; its transcript goes with it
// and its audit entry stays, detached.
func TestGeneratedClient(t *testing.T) {
	ctx := context.Background()
	c := newServer(t)

	created, err := c.MakeCallV1CallPostWithResponse(ctx, client.CallCreateRequest{
		FromNumber: "+34910000000", ToNumber: "+34600111222", Type: ptr(client.CallType("outbound")),
		Status: ptr(client.CallStatus("completed")),
	})
	if err != nil || created.JSON201 == nil {
		t.Fatalf("create: %v %d %s", err, created.StatusCode(), created.Body)
	}
	id := created.JSON201.Id

	var msgs client.MessageAppendRequest
	if err := msgs.FromMessageAppendRequest1([]client.MessageInput{
		{Role: "assistant", Content: ptr("Hola")}, {Role: "user", Content: ptr("Quiero una cita")},
	}); err != nil {
		t.Fatal(err)
	}
	if r, err := c.AppendMessagesV1CallIdMessagePostWithResponse(ctx, id, msgs); err != nil || r.StatusCode() != http.StatusCreated {
		t.Fatalf("append messages: %v %s", err, r.Body)
	}
	var logs client.LogAppendRequest
	if err := logs.FromLogInput(client.LogInput{Level: "INFO", Category: "CALL_LIFECYCLE", Event: "call.ended"}); err != nil {
		t.Fatal(err)
	}
	if r, err := c.AppendLogsV1LogCallCallIdPostWithResponse(ctx, id, logs); err != nil || r.StatusCode() != http.StatusCreated {
		t.Fatalf("append log: %v %s", err, r.Body)
	}

	list, err := c.ListCallsV1CallGetWithResponse(ctx, &client.ListCallsV1CallGetParams{Status: ptr(client.CallStatus("completed"))})
	if err != nil || list.JSON200 == nil || len(list.JSON200.Data) != 1 || list.JSON200.Data[0].Id != id {
		t.Fatalf("list: %v %s", err, list.Body)
	}
	tr, err := c.GetCallMessagesV1CallIdMessageGetWithResponse(ctx, id, nil)
	if err != nil || tr.JSON200 == nil || len(tr.JSON200.Data) != 2 {
		t.Fatalf("transcript: %v %s", err, tr.Body)
	}

	del, err := c.BulkDeleteCallsV1CallBulkDeletePostWithResponse(ctx, client.BulkDeleteCallRequest{CallIds: []openapi_types.UUID{id}})
	if err != nil || del.JSON200 == nil || del.JSON200.Deleted != 1 {
		t.Fatalf("bulk delete: %v %s", err, del.Body)
	}
	if r, err := c.GetCallV1CallIdGetWithResponse(ctx, id); err != nil || r.JSON404 == nil {
		t.Fatalf("deleted call: %v %d %s", err, r.StatusCode(), r.Body)
	}
	if r, err := c.GetCallMessagesV1CallIdMessageGetWithResponse(ctx, id, nil); err != nil || r.StatusCode() != http.StatusNotFound {
		t.Fatalf("transcript of a deleted call: %v %d %s", err, r.StatusCode(), r.Body)
	}
	audit, err := c.ListLogsV1LogGetWithResponse(ctx, &client.ListLogsV1LogGetParams{})
	if err != nil || audit.JSON200 == nil || len(audit.JSON200.Data) != 1 || audit.JSON200.Data[0].CallId != nil {
		t.Fatalf("the audit entry should survive, detached: %v %s", err, audit.Body)
	}
}
