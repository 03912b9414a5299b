package handlers

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"net/http"
	"reflect"
	"slices"
)

// openapiFragments are partial OpenAPI 3.1 documents, one per area of the API (base.json holds
// info, servers, security schemes and the shared schemas). Each area describes its own routes next
// to its own code; the served document is their deep merge.
//
//go:embed openapi/*.json
var openapiFragments embed.FS

// openapiDoc is the merged document, built once at start-up.
var openapiDoc = mustMergeOpenAPI(openapiFragments)

// OpenAPI returns the OpenAPI 3.1 document callstore serves at GET /openapi.json.
func OpenAPI() []byte { return bytes.Clone(openapiDoc) }

// handleOpenAPI serves GET /openapi.json.
func handleOpenAPI() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(openapiDoc)
	})
}

// mustMergeOpenAPI merges every fragment, base.json first, then the others by name. Two fragments
// that give the same key different non-object values are a programming error: it panics at start-up
// (and so in every test) rather than serving a document that silently lost one of them.
func mustMergeOpenAPI(fsys fs.FS) []byte {
	names, err := fs.Glob(fsys, "openapi/*.json")
	if err != nil {
		panic(err)
	}
	slices.SortFunc(names, func(a, b string) int {
		switch {
		case a == b:
			return 0
		case a == "openapi/base.json":
			return -1
		case b == "openapi/base.json":
			return 1
		case a < b:
			return -1
		}
		return 1
	})
	doc := map[string]any{}
	for _, name := range names {
		raw, err := fs.ReadFile(fsys, name)
		if err != nil {
			panic(err)
		}
		var frag map[string]any
		if err := json.Unmarshal(raw, &frag); err != nil {
			panic(fmt.Sprintf("%s: %v", name, err))
		}
		if err := mergeJSON(doc, frag, name); err != nil {
			panic(err)
		}
	}
	// The top-level keys in the order readers expect (maps would sort them), the rest sorted.
	order := []string{"openapi", "info", "servers", "security", "tags", "paths", "components"}
	for _, k := range slices.Sorted(maps.Keys(doc)) {
		if !slices.Contains(order, k) {
			order = append(order, k)
		}
	}
	var compact bytes.Buffer
	compact.WriteByte('{')
	for _, k := range order {
		v, ok := doc[k]
		if !ok {
			continue
		}
		if compact.Len() > 1 {
			compact.WriteByte(',')
		}
		writeJSON(&compact, k)
		compact.WriteByte(':')
		writeJSON(&compact, v)
	}
	compact.WriteByte('}')
	var out bytes.Buffer
	if err := json.Indent(&out, compact.Bytes(), "", "  "); err != nil {
		panic(err)
	}
	out.WriteByte('\n')
	return out.Bytes()
}

// writeJSON appends v as compact JSON, without escaping HTML characters.
func writeJSON(buf *bytes.Buffer, v any) {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err)
	}
	buf.Truncate(buf.Len() - 1) // Encode's newline
}

// mergeJSON merges src into dst: objects merge key by key, anything else must be equal.
func mergeJSON(dst, src map[string]any, where string) error {
	for k, v := range src {
		cur, ok := dst[k]
		if !ok {
			dst[k] = v
			continue
		}
		cm, cok := cur.(map[string]any)
		vm, vok := v.(map[string]any)
		if cok && vok {
			if err := mergeJSON(cm, vm, where+"/"+k); err != nil {
				return err
			}
			continue
		}
		if !reflect.DeepEqual(cur, v) {
			return fmt.Errorf("openapi: %s/%s conflicts with another fragment", where, k)
		}
	}
	return nil
}
