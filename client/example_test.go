package client_test

import (
	"context"
	"fmt"
	"net/http"

	"github.com/callstore/callstore/callstoretest"
	"github.com/callstore/callstore/client"
)

// A client authenticates every request with an API key through a request editor.
func ExampleNewClientWithResponses() {
	srv, err := callstoretest.Start() // a callstore to talk to; use your server's URL and key
	if err != nil {
		panic(err)
	}
	defer srv.Close()

	key := srv.Key
	c, err := client.NewClientWithResponses(srv.URL, client.WithRequestEditorFn(func(_ context.Context, r *http.Request) error {
		r.Header.Set("Authorization", "Bearer "+key)
		return nil
	}))
	if err != nil {
		panic(err)
	}
	limit := client.Limit50(10)
	page, err := c.ListCallsV1CallGetWithResponse(context.Background(), &client.ListCallsV1CallGetParams{Limit: &limit})
	if err != nil {
		panic(err)
	}
	fmt.Println(page.StatusCode(), len(page.JSON200.Data), page.JSON200.HasMore)
	// Output: 200 0 false
}
