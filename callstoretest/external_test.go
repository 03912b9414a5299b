package callstoretest_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// userTest is the test a user of callstore writes in their own module: a server of their own,
// the typed client, and assertions on what callstore holds. MODULE stands for callstore's path.
const userTest = `package voiceapp

import (
	"context"
	"net/http"
	"testing"

	"MODULE/callstoretest"
	"MODULE/client"

	openapi_types "github.com/oapi-codegen/runtime/types"
)

func ptr[T any](v T) *T { return &v }

func TestRecordListDelete(t *testing.T) {
	srv := callstoretest.New(t)
	c := srv.Client()
	ctx := context.Background()

	created, err := c.MakeCallV1CallPostWithResponse(ctx, client.CallCreateRequest{
		FromNumber: "+34910000000", ToNumber: "+34600111222",
		Type: ptr(client.CallType("outbound")), Status: ptr(client.CallStatus("completed")),
	})
	if err != nil || created.JSON201 == nil {
		t.Fatalf("record: %v %s", err, created.Body)
	}
	id := created.JSON201.Id
	var msgs client.MessageAppendRequest
	if err := msgs.FromMessageAppendRequest1([]client.MessageInput{{Role: "assistant", Content: ptr("Hola")}, {Role: "user", Content: ptr("Adiós")}}); err != nil {
		t.Fatal(err)
	}
	if r, err := c.AppendMessagesV1CallIdMessagePostWithResponse(ctx, id, msgs); err != nil || r.StatusCode() != http.StatusCreated {
		t.Fatalf("transcript: %v %s", err, r.Body)
	}
	var logs client.LogAppendRequest
	if err := logs.FromLogInput(client.LogInput{Level: "INFO", Category: "CALL_LIFECYCLE", Event: "call.ended"}); err != nil {
		t.Fatal(err)
	}
	if r, err := c.AppendLogsV1LogCallCallIdPostWithResponse(ctx, id, logs); err != nil || r.StatusCode() != http.StatusCreated {
		t.Fatalf("log: %v %s", err, r.Body)
	}

	list, err := c.ListCallsV1CallGetWithResponse(ctx, nil)
	if err != nil || list.JSON200 == nil || len(list.JSON200.Data) != 1 || list.JSON200.Data[0].Id != id {
		t.Fatalf("list: %v %s", err, list.Body)
	}
	del, err := c.BulkDeleteCallsV1CallBulkDeletePostWithResponse(ctx, client.BulkDeleteCallRequest{CallIds: []openapi_types.UUID{id}})
	if err != nil || del.JSON200 == nil || del.JSON200.Deleted != 1 {
		t.Fatalf("bulk delete: %v %s", err, del.Body)
	}
	if r, err := c.GetCallMessagesV1CallIdMessageGetWithResponse(ctx, id, nil); err != nil || r.StatusCode() != http.StatusNotFound {
		t.Fatalf("the transcript should be gone: %v %d", err, r.StatusCode())
	}
	audit, err := c.ListLogsV1LogGetWithResponse(ctx, nil)
	if err != nil || audit.JSON200 == nil || len(audit.JSON200.Data) != 1 || audit.JSON200.Data[0].CallId != nil {
		t.Fatalf("the log entry should survive, detached from the call: %v %s", err, audit.Body)
	}
}
`

// TestExternalModule builds a separate module, as a user's project would be, that imports
// callstoretest and the client through a replace directive pointing at this checkout, and runs
// its test: record a call with a transcript, list it, bulk-delete it, the transcript gone and the
// log kept. Only the Go module cache is used (the modules are callstore's own dependencies).
func TestExternalModule(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a separate module; skipped with -short")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	mod := ""
	for line := range strings.Lines(string(data)) {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "module "); ok {
			mod = strings.Trim(strings.TrimSpace(rest), `"`)
			break
		}
	}
	if mod == "" {
		t.Fatal("no module line in go.mod")
	}
	dir := t.TempDir()
	gomod := "module example.com/voiceapp\n\ngo 1.26\n\nrequire " + mod + " v0.0.0\n\nreplace " + mod + " => " + root + "\n"
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", gomod)
	write("voiceapp_test.go", strings.ReplaceAll(userTest, "MODULE", mod))
	gobin := filepath.Join(os.Getenv("GOROOT"), "bin", "go")
	if _, err := os.Stat(gobin); err != nil {
		if gobin, err = exec.LookPath("go"); err != nil {
			t.Skip("no go command to build the separate module with")
		}
	}
	for _, args := range [][]string{{"mod", "tidy"}, {"vet", "./..."}, {"test", "-count=1", "./..."}} {
		cmd := exec.Command(gobin, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go %s in the separate module: %v\n%s", strings.Join(args, " "), err, out)
		}
		if args[0] == "test" && !strings.Contains(string(out), "ok  \texample.com/voiceapp") {
			t.Fatalf("the separate module's test did not pass:\n%s", out)
		}
	}
}
