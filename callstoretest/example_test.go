package callstoretest_test

import (
	"context"
	"fmt"
	"time"

	"github.com/callstore/callstore/callstoretest"
	"github.com/callstore/callstore/client"
	"github.com/callstore/callstore/store"

	openapi_types "github.com/oapi-codegen/runtime/types"
)

// In a test, New(t) starts the server and closes it when the test ends; outside one (as in this
// example), Start and Close do the same.
func Example() {
	srv, err := callstoretest.Start()
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	ctx := context.Background()

	// A finished call with its transcript, recorded directly (AddCall in a test) ...
	in := store.ImportCall{
		Call:     store.CallInput{Status: store.StatusCompleted, Contact: &store.ContactInput{Identifier: "+34600111222"}},
		Messages: []store.MessageInput{{Role: "assistant"}, {Role: "user"}},
	}
	if _, err := srv.Store.Import(ctx, store.Principal{CompanyID: srv.Company.ID}, func(yield func(store.ImportLine) bool) {
		yield(store.ImportLine{Line: 1, Call: in})
	}); err != nil {
		panic(err)
	}

	// ... then seen and deleted through the API, as the code under test would.
	c := srv.Client()
	list, _ := c.ListCallsV1CallGetWithResponse(ctx, nil)
	call := list.JSON200.Data[0]
	fmt.Println("listed:", len(list.JSON200.Data), call.Contact.Identifier, call.Status)

	del, _ := c.BulkDeleteCallsV1CallBulkDeletePostWithResponse(ctx, client.BulkDeleteCallRequest{CallIds: []openapi_types.UUID{call.Id}})
	fmt.Println("deleted:", del.JSON200.Deleted)

	gone, _ := c.GetCallMessagesV1CallIdMessageGetWithResponse(ctx, call.Id, nil)
	fmt.Println("transcript afterwards:", gone.StatusCode())
	// Output:
	// listed: 1 +34600111222 completed
	// deleted: 1
	// transcript afterwards: 404
}

// A clock the test moves: expiry and retention can be tested without waiting.
func ExampleWithClock() {
	clock := callstoretest.NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	srv, err := callstoretest.Start(callstoretest.WithClock(clock))
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	clock.Advance(90 * 24 * time.Hour)
	fmt.Println(srv.Store.Now().Format("2006-01-02"))
	// Output: 2026-04-01
}
