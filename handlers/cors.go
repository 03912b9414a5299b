package handlers

import (
	"net/http"
	"slices"
	"strings"
)

// corsHeaders are the request headers a browser may send to callstore: every dialect's
// credentials, the body's type, and the request id.
var corsHeaders = "Authorization, Content-Type, X-Request-Id, auth, accountId, Access-Token, X-Api-Key"

// cors answers the browser's cross-origin checks for the origins an operator allows (serve
// -cors-origin), so that a dashboard served from elsewhere can call the API; for any other origin
// it adds nothing, and the browser keeps its same-origin rule. A preflight (OPTIONS with
// Access-Control-Request-Method) from an allowed origin is answered here, before authentication,
// as browsers send it without credentials. "*" allows every origin.
func cors(origins []string, next http.Handler) http.Handler {
	if len(origins) == 0 {
		return next
	}
	anyOrigin := slices.Contains(origins, "*")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin == "" || !(anyOrigin || slices.Contains(origins, origin)) {
			next.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", origin)
		h.Add("Vary", "Origin")
		h.Set("Access-Control-Expose-Headers", "X-Request-Id, Allow")
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			h.Set("Access-Control-Allow-Methods", "GET, POST, PATCH, DELETE")
			h.Set("Access-Control-Allow-Headers", corsHeaders)
			h.Set("Access-Control-Max-Age", "600")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// splitOrigins reads a comma-separated list of origins (scheme://host[:port], or "*").
func splitOrigins(list string) []string {
	var out []string
	for o := range strings.SplitSeq(list, ",") {
		if o = strings.TrimSpace(o); o != "" {
			out = append(out, strings.TrimSuffix(o, "/"))
		}
	}
	return out
}
