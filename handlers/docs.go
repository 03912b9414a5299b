package handlers

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

// The API reference page, GET /docs: the served OpenAPI documents rendered in a browser by Redoc,
// whose standalone bundle is vendored in docsui/redoc/ by scripts/refresh-docsui.sh (the version is
// in docsui/redoc/VERSION). Everything the page loads comes from this server, so it works offline,
// and its Content-Security-Policy allows nothing else.
var (
	//go:embed docsui/docs.html docsui/docs.js docsui/docs.css docsui/redoc
	docsFiles embed.FS

	docsPage = template.Must(template.ParseFS(docsFiles, "docsui/docs.html"))
	// docsAssets are served at GET /docs/assets/{name}: the page's script and style, and every
	// vendored file (Redoc's bundle, its license and notices, VERSION).
	docsAssets = loadDocsAssets("docsui/docs.js", "docsui/docs.css", "docsui/redoc/*")
)

// apiDocument is one OpenAPI document that GET /docs renders.
type apiDocument struct {
	Name  string // the value of /docs?doc=
	Label string
	Spec  string // where the document is served, relative to /docs
}

// Href is the page's address, relative to /docs.
func (d apiDocument) Href() string {
	if d == apiDocuments[0] {
		return "docs"
	}
	return "docs?doc=" + d.Name
}

// apiDocuments are the documents of OpenAPIDocuments, the calls API's first (the default).
var apiDocuments = []apiDocument{
	{Name: "calls", Label: "Calls API", Spec: "openapi.json"},
	{Name: "koreai", Label: "Kore.ai-compatible", Spec: "openapi/koreai.json"},
	{Name: "genlogs", Label: "GenLogs-compatible", Spec: "openapi/genlogs.json"},
}

// docsCSP is the page's Content-Security-Policy: scripts, styles, images and fetches from this
// server only, and none of 'unsafe-inline' or 'unsafe-eval'. What Redoc needs beyond that is allowed
// narrowly: the <style> elements its bundle inserts, by their hashes (docsBundleStyles), and the
// Web Worker of its search, which the bundle starts from a blob: URL. Inline scripts, eval,
// plugins, forms, framing and every other origin are refused.
const docsCSP = "default-src 'none'; script-src 'self'; style-src 'self' " + docsBundleStyles + "; " +
	"img-src 'self' data:; font-src 'self'; connect-src 'self'; worker-src blob:; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// docsBundleStyles are the hashes of the <style> elements Redoc's bundle inserts: each starts
// empty (styled-components then fills its own through the CSSOM, which the policy does not govern),
// and one gets perfect-scrollbar's stylesheet (the sidebar's) as text. A new bundle may change that
// text: TestDocsBrowser fails on any refused style and logs the hash to put here.
const docsBundleStyles = "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=' 'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='"

// handleDocs serves GET /docs: the page that renders the calls API's document, or with ?doc=koreai
// or ?doc=genlogs another dialect's.
func handleDocs() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := r.URL.Query().Get("doc")
		if name == "" {
			name = apiDocuments[0].Name
		}
		cur, ok := documentNamed(name)
		if !ok {
			writeError(w, http.StatusNotFound, "NOT_FOUND", fmt.Sprintf("No API document %q: doc is one of %s (the default), %s",
				name, apiDocuments[0].Name, strings.Join(documentNames()[1:], ", ")))
			return
		}
		var page bytes.Buffer
		if err := docsPage.Execute(&page, map[string]any{"Docs": apiDocuments, "Current": cur}); err != nil {
			panic(err) // a fixed template over fixed data: a failure is a bug, answered as a 500
		}
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Security-Policy", docsCSP)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		_, _ = w.Write(page.Bytes())
	})
}

func documentNamed(name string) (apiDocument, bool) {
	for _, d := range apiDocuments {
		if d.Name == name {
			return d, true
		}
	}
	return apiDocument{}, false
}

func documentNames() []string {
	var out []string
	for _, d := range apiDocuments {
		out = append(out, d.Name)
	}
	return out
}

// docsAsset is one file of the page, with what its answer needs.
type docsAsset struct {
	body        []byte
	contentType string
	etag        string
}

// loadDocsAssets reads the embedded files matching patterns, by base name.
func loadDocsAssets(patterns ...string) map[string]docsAsset {
	out := map[string]docsAsset{}
	for _, p := range patterns {
		names, err := fs.Glob(docsFiles, p)
		if err != nil || len(names) == 0 {
			panic("docs: no embedded file matches " + p)
		}
		for _, name := range names {
			body, err := docsFiles.ReadFile(name)
			if err != nil {
				panic(err)
			}
			base := path.Base(name)
			if _, dup := out[base]; dup {
				panic("docs: two assets named " + base)
			}
			sum := sha256.Sum256(body)
			out[base] = docsAsset{body: body, contentType: assetType(base), etag: `"` + hex.EncodeToString(sum[:12]) + `"`}
		}
	}
	return out
}

// assetType is the Content-Type of an asset, by its name; written out rather than taken from the
// system's MIME table, which differs between machines (.js is application/javascript on some).
func assetType(name string) string {
	switch path.Ext(name) {
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	}
	return "text/plain; charset=utf-8" // LICENSE, notices, VERSION
}

// handleDocsAsset serves GET /docs/assets/{name}, with an ETag: a browser revalidates and gets a
// 304 until the binary serves other bytes.
func handleDocsAsset() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("name")
		a, ok := docsAssets[name]
		if !ok {
			writeError(w, http.StatusNotFound, "NOT_FOUND", fmt.Sprintf("No asset %q under /docs/assets/", name))
			return
		}
		h := w.Header()
		h.Set("Content-Type", a.contentType)
		h.Set("ETag", a.etag)
		h.Set("Cache-Control", "no-cache")
		h.Set("X-Content-Type-Options", "nosniff")
		http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(a.body))
	})
}
