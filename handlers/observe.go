package handlers

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"time"
)

// reqInfo is what the outermost middleware learns about a request while it is served: the
// dialect's guard fills in the company, the response writer the status and size.
type reqInfo struct {
	id        string
	companyID string
	base      *slog.Logger // the server's logger
	log       *slog.Logger // base with the request id, made when a line other than the access log needs it
}

type reqInfoKey struct{}

// info returns the request's reqInfo (nil outside observe).
func info(r *http.Request) *reqInfo {
	ri, _ := r.Context().Value(reqInfoKey{}).(*reqInfo)
	return ri
}

// logger is the logger of the request: the server's, with the request id.
func logger(r *http.Request, base *slog.Logger) *slog.Logger {
	if ri := info(r); ri != nil {
		if ri.log == nil {
			ri.log = ri.base.With("request_id", ri.id)
		}
		return ri.log
	}
	return base
}

// maxRequestID is the longest X-Request-Id taken from a client; a longer or unprintable one is
// replaced by a new id.
const maxRequestID = 128

// requestID returns the client's X-Request-Id when it is short and printable ASCII, else a new
// random id (16 hex characters).
func requestID(r *http.Request) string {
	if id := r.Header.Get("X-Request-Id"); id != "" && len(id) <= maxRequestID && printable(id) {
		return id
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// observe is the outermost middleware: it gives every request an id (echoed in X-Request-Id and
// carried by every log line of the request), writes one access-log line when it is answered
// (method, route pattern, status, bytes, duration, company, request id; never a key, a token or a
// body) and counts it in m (when not nil).
func observe(log *slog.Logger, m *Metrics, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		done := m.begin()
		ri := &reqInfo{id: requestID(r), base: log}
		w.Header().Set("X-Request-Id", ri.id)
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		r = r.WithContext(context.WithValue(r.Context(), reqInfoKey{}, ri))
		defer func() {
			route := r.Pattern
			if route == "" || route == "/" {
				route = "unmatched"
			}
			took := time.Since(start)
			done(route, rec.status, took)
			// The request id as an attribute of the line, not through logger(): most requests log
			// nothing else, and a logger of their own would cost every one of them an allocation.
			log.LogAttrs(r.Context(), slog.LevelInfo, "request", slog.String("request_id", ri.id),
				slog.String("method", r.Method), slog.String("route", route), slog.Int("status", rec.status),
				slog.Int64("bytes", rec.bytes), slog.Duration("duration", took),
				slog.String("company_id", ri.companyID))
		}()
		next.ServeHTTP(rec, r)
	})
}

// recorder remembers the status and the size of an answer. Unwrap lets http.ResponseController
// reach the connection's own writer (deadlines, flushing).
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
	wrote  bool
}

func (rec *recorder) WriteHeader(status int) {
	if !rec.wrote {
		rec.status, rec.wrote = status, true
	}
	rec.ResponseWriter.WriteHeader(status)
}

func (rec *recorder) Write(b []byte) (int, error) {
	rec.wrote = true
	n, err := rec.ResponseWriter.Write(b)
	rec.bytes += int64(n)
	return n, err
}

func (rec *recorder) Unwrap() http.ResponseWriter { return rec.ResponseWriter }
