package handlers_test

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/callstore/callstore/handlers"

	"github.com/getkin/kin-openapi/openapi3filter"
)

func init() {
	// The page and its assets are text; kin-openapi decodes only text/plain of them by itself.
	for _, ct := range []string{"text/html", "text/javascript", "text/css"} {
		openapi3filter.RegisterBodyDecoder(ct, openapi3filter.PlainBodyDecoder)
	}
}

var (
	pageAsset = regexp.MustCompile(`(?:src|href)="(docs/assets/[^"]+)"`)
	pageSpec  = regexp.MustCompile(`data-spec-url="([^"]+)"`)
	pageLink  = regexp.MustCompile(`<a href="(docs(?:\?doc=[a-z]+)?)"`)
)

func TestDocs(t *testing.T) {
	e := newEnv(t)

	t.Run("OK", func(t *testing.T) {
		r := e.do("GET", "/docs", "", nil) // no authentication
		wantStatus(t, r, 200)
		if ct := r.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
			t.Fatalf("Content-Type = %q", ct)
		}
		body := string(r.Body)
		var assets []string
		for _, m := range pageAsset.FindAllStringSubmatch(body, -1) {
			assets = append(assets, m[1])
		}
		slices.Sort(assets)
		if want := []string{"docs/assets/docs.css", "docs/assets/docs.js", "docs/assets/redoc.standalone.js"}; !slices.Equal(assets, want) {
			t.Fatalf("the page loads %v, want %v", assets, want)
		}
		// Each asset, addressed relative to /docs as the browser does, is the embedded file.
		local := map[string]string{
			"docs.css":            "docsui/docs.css",
			"docs.js":             "docsui/docs.js",
			"redoc.standalone.js": "docsui/redoc/redoc.standalone.js",
		}
		for _, a := range assets {
			name := strings.TrimPrefix(a, "docs/assets/")
			r := e.do("GET", "/"+a, "", nil)
			wantStatus(t, r, 200)
			want := map[string]string{".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}[filepath.Ext(name)]
			if ct := r.Header.Get("Content-Type"); ct != want {
				t.Errorf("%s: Content-Type = %q, want %q", a, ct, want)
			}
			if r.Header.Get("X-Content-Type-Options") != "nosniff" || r.Header.Get("ETag") == "" {
				t.Errorf("%s: headers %v, want nosniff and an ETag", a, r.Header)
			}
			file, err := os.ReadFile(local[name])
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(r.Body, file) {
				t.Errorf("%s is not handlers/%s", a, local[name])
			}
		}
		if m := pageSpec.FindStringSubmatch(body); m == nil || m[1] != "openapi.json" {
			t.Errorf("the page renders %v, want openapi.json", m)
		}
	})

	t.Run("ContentSecurityPolicy", func(t *testing.T) {
		csp := e.do("GET", "/docs", "", nil).Header.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'none'", "script-src 'self';", "style-src 'self' 'sha256-", "connect-src 'self'", "img-src 'self' data:", "frame-ancestors 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("Content-Security-Policy %q lacks %q", csp, want)
			}
		}
		for _, never := range []string{"unsafe-inline", "unsafe-eval", "*", "http:", "https:"} {
			if strings.Contains(csp, never) {
				t.Errorf("Content-Security-Policy %q allows %q", csp, never)
			}
		}
	})

	// The bar of the page links every document the server serves, each rendered on its own page.
	t.Run("EveryDocument", func(t *testing.T) {
		page := e.do("GET", "/docs", "", nil)
		var rendered []string
		for _, m := range pageLink.FindAllStringSubmatch(string(page.Body), -1) {
			r := e.do("GET", "/"+m[1], "", nil) // relative to /docs, as the browser resolves it
			wantStatus(t, r, 200)
			spec := pageSpec.FindStringSubmatch(string(r.Body))
			if spec == nil {
				t.Fatalf("/%s renders no document", m[1])
			}
			if !strings.Contains(string(r.Body), `href="`+spec[1]+`"`) {
				t.Errorf("/%s does not link its document %s", m[1], spec[1])
			}
			wantStatus(t, e.do("GET", "/"+spec[1], "", nil), 200)
			rendered = append(rendered, "/"+spec[1])
		}
		var served []string
		for path := range handlers.OpenAPIDocuments() {
			served = append(served, path)
		}
		slices.Sort(rendered)
		slices.Sort(served)
		if !slices.Equal(rendered, served) {
			t.Errorf("the pages linked from /docs render %v; the server serves %v", rendered, served)
		}
		if r := e.do("GET", "/docs?doc=calls", "", nil); !bytes.Equal(r.Body, page.Body) {
			t.Error("?doc=calls is not the default page")
		}
	})

	t.Run("NotModified", func(t *testing.T) {
		r := e.do("GET", "/docs/assets/redoc.standalone.js", "", nil)
		etag := r.Header.Get("ETag")
		r = e.doHeaders("GET", "/docs/assets/redoc.standalone.js", http.Header{"If-None-Match": {etag}}, nil)
		wantStatus(t, r, 304)
		if len(r.Body) != 0 {
			t.Errorf("304 with a body of %d bytes", len(r.Body))
		}
	})

	t.Run("LicensesServed", func(t *testing.T) {
		for _, name := range []string{"LICENSE", "redoc.standalone.js.LICENSE.txt", "VERSION"} {
			r := e.do("GET", "/docs/assets/"+name, "", nil)
			wantStatus(t, r, 200)
			if ct := r.Header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
				t.Errorf("%s: Content-Type = %q", name, ct)
			}
		}
	})

	t.Run("ErrUnknownDocument", func(t *testing.T) {
		r := e.do("GET", "/docs?doc=swagger", "", nil)
		wantStatus(t, r, 404)
		if m := r.Map(t); m["error_code"] != "NOT_FOUND" || !strings.Contains(m["message"].(string), "koreai") {
			t.Errorf("body %s", r.Body)
		}
	})

	t.Run("ErrUnknownAsset", func(t *testing.T) {
		for _, path := range []string{"/docs/assets/nope.js", "/docs/assets/docs.html", "/docs/assets/", "/docs/"} {
			r := e.do("GET", path, "", nil)
			wantStatus(t, r, 404)
			if m := r.Map(t); m["error_code"] != "NOT_FOUND" {
				t.Errorf("%s: body %s", path, r.Body)
			}
		}
	})
}

// TestDocsVendored checks that the vendored viewer is whole and is the version that
// scripts/refresh-docsui.sh pins: a bundle replaced by hand, or a refresh half done, fails here.
func TestDocsVendored(t *testing.T) {
	script, err := os.ReadFile("../scripts/refresh-docsui.sh")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^REDOC_VERSION=(\S+)$`).FindSubmatch(script)
	if m == nil {
		t.Fatal("scripts/refresh-docsui.sh pins no REDOC_VERSION")
	}
	version := string(m[1])
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join("docsui/redoc", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if v := read("VERSION"); !strings.HasPrefix(v, "redoc "+version+"\n") {
		t.Errorf("docsui/redoc/VERSION is not redoc %s:\n%s", version, v)
	}
	if n := read("redoc.standalone.js.LICENSE.txt"); !strings.Contains(n, `Version: "`+version+`"`) {
		t.Errorf("the bundle's notices are not those of redoc %s", version)
	}
	if l := read("LICENSE"); !strings.Contains(l, "MIT License") {
		t.Error("docsui/redoc/LICENSE is not Redoc's MIT license")
	}
	if strings.Contains(read("redoc.standalone.js"), "cdn.redoc.ly") {
		t.Error("the bundle still loads Redocly's logo from its CDN: run scripts/refresh-docsui.sh")
	}
}
