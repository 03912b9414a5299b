// Package handlers is callstore's HTTP surface: every route is listed in routes.go; the handlers
// only translate between a wire dialect and the store.
package handlers

import (
	"fmt"
	"log/slog"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/callstore/callstore/store"
)

// Config holds the server's settings.
type Config struct {
	// TokenTTL is the lifetime of access tokens issued by POST /auth/token (default 1h).
	TokenTTL time.Duration
	// ReadTimeout and WriteTimeout are the http.Server's (zero: none). The streaming import,
	// whose body may take longer than ReadTimeout to arrive, moves both deadlines forward while
	// its body keeps arriving, so a large import works and a stalled one is cut off.
	ReadTimeout, WriteTimeout time.Duration
	// Draining reports that the server is shutting down: GET /readyz then answers 503.
	Draining func() bool
	// Metrics, when set, counts every request; MetricsOnMux also serves them at GET /metrics
	// (otherwise the caller serves Metrics.Handler where it likes, e.g. another address).
	Metrics      *Metrics
	MetricsOnMux bool
	// CORSOrigins is a comma-separated list of the origins (e.g. https://dash.example.com) whose
	// browser pages may call the API, "*" for any; empty (the default) allows none.
	CORSOrigins string
}

// NewServer returns the whole HTTP API over one store.
func NewServer(s *store.Store, log *slog.Logger, cfg Config) http.Handler {
	if cfg.TokenTTL <= 0 {
		cfg.TokenTTL = time.Hour
	}
	mux := http.NewServeMux()
	addRoutes(mux, s, log, cfg)
	return observe(log, cfg.Metrics, recoverPanics(log, cors(splitOrigins(cfg.CORSOrigins), canonicalPaths(mux))))
}

// canonicalPaths answers a path that ServeMux would redirect (one with "//", "." or "..", or a
// collection without its trailing slash) with a JSON 404 that names the canonical path, instead of
// the mux's 307 with an HTML body: a client of a JSON API should not have to follow a redirect to
// learn that it asked for the wrong path, and a POST would not follow it anyway.
func canonicalPaths(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.EscapedPath()
		if c := cleanPath(p); c != p {
			writeNotFound(w, c, "Not Found: the path is not in canonical form; the canonical form is "+c)
			return
		}
		if isRedirect(mux, r) {
			writeNotFound(w, p, "Not Found: did you mean "+p+"/ ?")
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// isRedirect reports whether ServeMux would redirect r (a clean path) to the same path with a
// trailing slash. A collection is registered as ".../{$}", which matches only paths ending in "/":
// when ServeMux.Handler names such a pattern for a path without the slash, it is the pattern the
// mux would redirect to.
func isRedirect(mux *http.ServeMux, r *http.Request) bool {
	if strings.HasSuffix(r.URL.Path, "/") {
		return false
	}
	_, pattern := mux.Handler(r)
	return strings.HasSuffix(pattern, "/{$}")
}

// cleanPath is the path ServeMux serves for p: rooted, with "//", "." and ".." resolved, and the
// trailing slash kept.
func cleanPath(p string) string {
	if p == "" {
		return "/"
	}
	if p[0] != '/' {
		p = "/" + p
	}
	c := path.Clean(p)
	if strings.HasSuffix(p, "/") && c != "/" {
		c += "/"
	}
	return c
}

// recoverPanics turns a panic in a handler into the dialect's 500 instead of a dropped connection.
func recoverPanics(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				logger(r, log).Error("panic", "method", r.Method, "path", r.URL.Path, "panic", v)
				d := dialectOf(r.URL.Path)
				d.write(w, http.StatusInternalServerError, "INTERNAL_SERVER_ERROR", d.internal)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// handleUnmatched answers a request no route matched. When the path is a route's for other
// methods, that is 405 with an Allow header listing them (ServeMux would do so itself, were it not
// for this catch-all); otherwise 404. Either way in the envelope of the API the path belongs to,
// instead of the mux's plain text.
func handleUnmatched(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if allow := allowedMethods(mux, r); len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			writePathError(w, r.URL.Path, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED",
				fmt.Sprintf("Method %s is not allowed on %s; allowed: %s", r.Method, r.URL.Path, strings.Join(allow, ", ")))
			return
		}
		writeNotFound(w, r.URL.Path, "Not Found")
	})
}

// routeMethods are the methods the API's routes use (a GET route also serves HEAD).
var routeMethods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// allowedMethods lists the methods for which a route other than the catch-all matches r's path.
func allowedMethods(mux *http.ServeMux, r *http.Request) []string {
	var allow []string
	for _, m := range routeMethods {
		if m == r.Method {
			continue
		}
		probe := &http.Request{Method: m, URL: r.URL, Host: r.Host, Header: http.Header{}}
		if _, pattern := mux.Handler(probe); pattern != "/" && pattern != "" && !isRedirect(mux, probe) {
			allow = append(allow, m)
		}
	}
	return allow
}

// writeNotFound writes a 404 in the envelope of the dialect that owns the path.
func writeNotFound(w http.ResponseWriter, path, msg string) {
	writePathError(w, path, http.StatusNotFound, "NOT_FOUND", msg)
}

// writePathError writes an error that no route's handler answered, in the envelope of the dialect
// that owns the path.
func writePathError(w http.ResponseWriter, path string, status int, code, msg string) {
	dialectOf(path).write(w, status, code, msg)
}

// dialectOf is the dialect whose routes live under path: Kore.ai-style under /agentassist/,
// GenLogs-style under /onboarded-carrier/ and /auth/, the calls API everywhere else.
func dialectOf(path string) *dialect {
	switch {
	case strings.HasPrefix(path, "/agentassist/"):
		return koreai
	case strings.HasPrefix(path, "/onboarded-carrier/"), path == "/auth" || strings.HasPrefix(path, "/auth/"):
		return genlogs
	}
	return callsAPI
}
