package handlers_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callstore/callstore/handlers"

	"github.com/chromedp/cdproto/network"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// TestDocsBrowser opens GET /docs in a real headless Chromium (Debian's `chromium` package) against
// a real server and checks, for each of the three documents, that Redoc renders it, that a bulk
// delete operation shows with its summary and path, and that the page stayed within the server:
// every request it made was answered 2xx/3xx by the test server, none failed or went to another
// host, no script error, no Content-Security-Policy violation. Without chromium the test skips,
// except under CI (CI set), where it fails: .ci/run installs chromium. It saves a screenshot of each
// page in t.ArtifactDir(), a temporary directory that `go test -artifacts` keeps.
func TestDocsBrowser(t *testing.T) {
	exe, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("chromium is not installed (%v); CI must install it (.ci/run apt-installs it)", err)
		}
		t.Skipf("skipping the browser test: chromium is not installed (%v); apt-get install -y chromium", err)
	}
	e := newEnv(t)
	server, err := url.Parse(e.Server.URL)
	if err != nil {
		t.Fatal(err)
	}

	// This machine has no network: the flags keep Chromium from reaching for it on its own
	// (background requests, component updates, sync, first-run pages), and from needing a GPU
	// or a sandbox (the tests run as root).
	opts := append(slices.Clone(chromedp.DefaultExecAllocatorOptions[:]),
		chromedp.ExecPath(exe),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.UserDataDir(t.TempDir()),
	)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	ctx, cancelBrowser := chromedp.NewContext(ctx, chromedp.WithLogf(t.Logf))
	defer cancelBrowser()

	start := time.Now()
	rec := &pageRecorder{}
	rec.reset()
	if err := chromedp.Listen(ctx, rec.listen); err != nil { // starts the browser
		t.Fatalf("starting chromium: %v", err)
	}
	// Every Content-Security-Policy violation of the page, from its first script on.
	if _, err := chromedp.Call(ctx, cdppage.AddScriptToEvaluateOnNewDocument, cdppage.AddScriptToEvaluateOnNewDocumentParams{
		Source: `window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(
  e.violatedDirective + ' refused ' + (e.blockedURI || 'inline') + ' from ' + (e.sourceFile || '?') + ':' + e.lineNumber));`,
	}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatal(err)
	}
	t.Logf("chromium %s started in %v", exe, time.Since(start).Round(time.Millisecond))

	docs := handlers.OpenAPIDocuments()
	pages := []struct {
		name, path string
		method, op string // an operation the page must show: its summary is read from the document
		doc        []byte
	}{
		{"calls", "/docs", "post", "/v1/call/bulk-delete", docs["/openapi.json"]},
		{"koreai", "/docs?doc=koreai", "delete", "/agentassist/api/v1/public/{streamId}/contacts/bulk-delete", docs["/openapi/koreai.json"]},
		{"genlogs", "/docs?doc=genlogs", "delete", "/onboarded-carrier/bulk/contacts", docs["/openapi/genlogs.json"]},
	}
	for _, p := range pages {
		t.Run(p.name, func(t *testing.T) {
			summary := operationSummary(t, p.doc, p.method, p.op)
			heading := chromedp.Search(fmt.Sprintf(`//h2[normalize-space()=%q]`, summary))
			rec.reset()
			start := time.Now()
			// docs.js marks <html data-docs> once Redoc has rendered the document, or failed to.
			if err := chromedp.Do(ctx,
				chromedp.Navigate(e.Server.URL+p.path),
				chromedp.WaitReady(chromedp.CSS(`html[data-docs="rendered"], html[data-docs="error"]`)),
			); err != nil {
				t.Fatalf("loading %s: %v", p.path, err)
			}
			state, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS("html"), "data-docs"))
			if err != nil || state.Value != "rendered" {
				t.Fatalf("Redoc did not render %s (data-docs=%q, %v)", p.path, state.Value, err)
			}
			if err := chromedp.Do(ctx, chromedp.WaitVisible(heading)); err != nil {
				t.Fatalf("the operation %q is not visible on %s: %v", summary, p.path, err)
			}
			t.Logf("%s rendered in %v", p.path, time.Since(start).Round(time.Millisecond))

			// The operation's section shows its method and path next to the summary.
			section, err := chromedp.Run(ctx, chromedp.Text(heading+`/ancestor::*[@data-section-id][1]`))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(section, p.op) || !strings.Contains(strings.ToLower(section), p.method) {
				t.Errorf("the operation %q does not show %s %s; its section reads:\n%s", summary, p.method, p.op, section)
			}

			if err := chromedp.Do(ctx, chromedp.ScrollIntoView(heading), chromedp.Sleep(300*time.Millisecond)); err != nil {
				t.Fatal(err)
			}
			png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
			if err != nil {
				t.Fatal(err)
			}
			shot := filepath.Join(t.ArtifactDir(), "docs-"+p.name+".png")
			if err := os.WriteFile(shot, png, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("screenshot: %s", shot)

			csp, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`window.__csp`))
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range csp {
				t.Errorf("Content-Security-Policy violation: %s", v)
			}
			if len(csp) > 0 {
				logInlineStyles(t, ctx)
			}
			rec.check(t, server.Host)
		})
	}
}

// logInlineStyles logs the hash of each <style> of the page: what handlers.docsBundleStyles must
// list when a new bundle inserts another stylesheet as text.
func logInlineStyles(t *testing.T, ctx context.Context) {
	t.Helper()
	styles, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('style')].map(s => s.textContent)`))
	if err != nil {
		t.Log(err)
		return
	}
	for _, s := range styles {
		sum := sha256.Sum256([]byte(s))
		t.Logf("<style> of %d bytes, hash 'sha256-%s': %.80q", len(s), base64.StdEncoding.EncodeToString(sum[:]), s)
	}
}

// operationSummary is the summary of one operation of an OpenAPI document.
func operationSummary(t *testing.T, doc []byte, method, path string) string {
	t.Helper()
	var d struct {
		Paths map[string]map[string]struct{ Summary string }
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		t.Fatal(err)
	}
	s := d.Paths[path][method].Summary
	if s == "" {
		t.Fatalf("the document has no summary for %s %s", method, path)
	}
	return s
}

// pageRecorder keeps what the page did since the last reset: its requests and their outcomes,
// its uncaught exceptions and console errors. Its listen runs on chromedp's reading goroutine.
type pageRecorder struct {
	mu       sync.Mutex
	requests map[network.RequestID]*pageRequest
	order    []network.RequestID
	errors   []string
}

// pageRequest is one request of the page, redirects included.
type pageRequest struct {
	url    string
	status []int64 // every response, redirects first
	failed string
}

func (r *pageRecorder) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests, r.order, r.errors = map[network.RequestID]*pageRequest{}, nil, nil
}

func (r *pageRecorder) listen(ev any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	req := func(id network.RequestID) *pageRequest {
		q := r.requests[id]
		if q == nil {
			q = &pageRequest{}
			r.requests[id] = q
			r.order = append(r.order, id)
		}
		return q
	}
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		q := req(ev.RequestID)
		if ev.RedirectResponse != nil {
			q.status = append(q.status, ev.RedirectResponse.Status)
		}
		q.url = ev.Request.URL
	case *network.EventResponseReceived:
		q := req(ev.RequestID)
		q.status = append(q.status, ev.Response.Status)
	case *network.EventLoadingFailed:
		q := req(ev.RequestID)
		q.failed = ev.ErrorText
		if ev.BlockedReason != "" {
			q.failed += " (blocked: " + string(ev.BlockedReason) + ")"
		}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		msg := d.Text
		if d.Exception != nil {
			msg += " " + d.Exception.Description
		}
		r.errors = append(r.errors, fmt.Sprintf("uncaught exception: %s (%s:%d)", msg, d.URL, d.LineNumber))
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError {
			var args []string
			for _, a := range ev.Args {
				args = append(args, string(a.Value)+a.Description)
			}
			r.errors = append(r.errors, "console.error: "+strings.Join(args, " "))
		}
	}
}

// check fails t unless the page made requests, each went to host (or stayed inside the page, as
// data: and blob: URLs do) and got a 2xx or 3xx answer, and the page logged no error.
func (r *pageRecorder) check(t *testing.T, host string) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.order) == 0 {
		t.Fatal("recorded no request at all")
	}
	for _, id := range r.order {
		q := r.requests[id]
		short := q.url
		if len(short) > 100 {
			short = short[:100] + "…"
		}
		local := strings.HasPrefix(q.url, "data:") || strings.HasPrefix(q.url, "blob:")
		if u, err := url.Parse(q.url); !local && (err != nil || u.Host != host) {
			t.Errorf("request to another host: %s", short)
		}
		if q.failed != "" {
			t.Errorf("request failed: %s: %s", short, q.failed)
		}
		for _, s := range q.status {
			if s < 200 || s >= 400 {
				t.Errorf("request answered %d: %s", s, short)
			}
		}
		if len(q.status) == 0 && q.failed == "" && !local {
			t.Errorf("request got no answer: %s", short)
		}
		t.Logf("request %v %s", q.status, short)
	}
	for _, e := range r.errors {
		t.Errorf("the page logged an error: %s", e)
	}
}
