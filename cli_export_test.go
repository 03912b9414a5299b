package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/callstore/callstore/db"
	"github.com/callstore/callstore/handlers"
	"github.com/callstore/callstore/store"
)

// serveFile serves the HTTP API over the database file at path (another process's view of it, as
// a running server's would be) and returns its URL.
func serveFile(t *testing.T, path string) string {
	t.Helper()
	d, err := db.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	s, err := store.New(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(handlers.NewServer(s, slog.New(slog.NewTextHandler(io.Discard, nil)), handlers.Config{}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// httpDo sends one request with an API key and returns the status and the whole body.
func httpDo(t *testing.T, method, url, key, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// TestCLIExport: `callstore export` writes the bytes GET /v1/call/export answers for the same
// company and filters, to stdout or to a file, and refuses an unknown company.
func TestCLIExport(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "c.db")
	company := createCompany(t, path, "acme")
	key := createKey(t, path, company, "-name", "k").Value
	url := serveFile(t, path)
	lines := `{"id":"0190a1b2-0000-7000-8000-000000000001","status":"completed","type":"inbound","start_time":"2025-03-01T09:00:00.123456Z","end_time":"2025-03-01T09:03:20Z","contact":{"identifier":"+34600000001"},"dynamic_variables":{"a":"<b>"},"messages":[{"role":"user","content":"hola"},{"role":"tool","tool_call":{"function_name":"f","payload":{},"status":"error"}}],"logs":[{"level":"INFO","category":"USER","event":"e","trace_id":"t","data":{"x":1}}]}
{"id":"0190a1b2-0000-7000-8000-000000000002","status":"in_progress","contact":{"identifier":"visitor","contact_type":"web"},"created_date":"2025-03-02T00:00:00Z"}
{"id":"0190a1b2-0000-7000-8000-000000000003","status":"completed","contact":{"identifier":"+34600000002"},"created_date":"2025-03-03T00:00:00Z"}
`
	if code, body := httpDo(t, "POST", url+"/v1/call/import", key, lines); code != 200 || !strings.Contains(body, `"imported":3`) {
		t.Fatalf("import = %d %s", code, body)
	}
	other := createCompany(t, path, "other")

	t.Run("SameBytesAsHTTP", func(t *testing.T) {
		for _, c := range []struct{ query, flags string }{
			{"", ""},
			{"?status=completed", "-status completed"},
			{"?start_created_date=2025-03-02T00:00:00Z&type=outbound", "-start_created_date 2025-03-02T00:00:00Z -type outbound"},
		} {
			code, want := httpDo(t, "GET", url+"/v1/call/export"+c.query, key, "")
			if code != 200 || want == "" {
				t.Fatalf("GET export%s = %d %q", c.query, code, want)
			}
			args := append([]string{"export", "-db", path, "-company", company}, strings.Fields(c.flags)...)
			stdout, stderr, err := cli(t, nil, args...)
			if err != nil {
				t.Fatalf("export %s: %v (%s)", c.flags, err, stderr)
			}
			if stdout != want {
				t.Fatalf("export %s printed\n%s\nthe server answered\n%s", c.flags, stdout, want)
			}
			if n := strings.Count(want, "\n"); !strings.Contains(stderr, "exported "+strconv.Itoa(n)+" call(s)") {
				t.Fatalf("stderr = %q, want the count %d", stderr, n)
			}
		}
		// The filters select: the three answers above differ.
		_, all := httpDo(t, "GET", url+"/v1/call/export", key, "")
		_, completed := httpDo(t, "GET", url+"/v1/call/export?status=completed", key, "")
		if strings.Count(all, "\n") != 3 || strings.Count(completed, "\n") != 2 {
			t.Fatalf("exports of 3 and 2 calls expected:\n%s\n%s", all, completed)
		}
	})

	t.Run("ToFile", func(t *testing.T) {
		out := filepath.Join(dir, "export.ndjson")
		if _, stderr, err := cli(t, nil, "export", "-db", path, "-company", company, "-o", out); err != nil {
			t.Fatalf("export -o: %v (%s)", err, stderr)
		}
		got, err := os.ReadFile(out)
		_, want := httpDo(t, "GET", url+"/v1/call/export", key, "")
		if err != nil || string(got) != want {
			t.Fatalf("the file holds %q (%v), want %q", got, err, want)
		}
		// An empty company exports an empty file.
		if _, _, err := cli(t, nil, "export", "-db", path, "-company", other, "-o", out); err != nil {
			t.Fatal(err)
		}
		if got, err := os.ReadFile(out); err != nil || len(got) != 0 {
			t.Fatalf("the other company's export = %q, %v", got, err)
		}
	})

	t.Run("Refused", func(t *testing.T) {
		out := filepath.Join(dir, "never.ndjson")
		for _, c := range []struct {
			args []string
			want string
		}{
			{[]string{"-db", path, "-company", "0190a1b2-0000-7000-8000-00000000ffff", "-o", out}, "Company 0190a1b2-0000-7000-8000-00000000ffff not found"},
			{[]string{"-db", path}, "-company is required"},
			{[]string{"-db", path, "-company", company, "-status", "done"}, "-status must be one of"},
			{[]string{"-db", path, "-company", company, "-contact_id", "x"}, "-contact_id must be a UUID"},
			{[]string{"-db", path, "-company", company, "-end_created_date", "today"}, "-end_created_date must be an RFC 3339 date-time"},
			{[]string{"-db", filepath.Join(dir, "missing.db"), "-company", company}, "missing.db"},
		} {
			stdout, _, err := cli(t, nil, append([]string{"export"}, c.args...)...)
			if err == nil || !strings.Contains(errorText(err), c.want) || stdout != "" {
				t.Fatalf("export %v = %v, stdout %q; want an error saying %q", c.args, err, stdout, c.want)
			}
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Fatalf("a refused export left %s behind (%v)", out, err)
		}
		if _, err := os.Stat(filepath.Join(dir, "missing.db")); !os.IsNotExist(err) {
			t.Fatal("export created a database file")
		}
	})
}
