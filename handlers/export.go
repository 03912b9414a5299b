package handlers

import (
	"bufio"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/callstore/callstore/store"
)

// The trailers that end a complete export. A body that ends without them was cut short: the
// server stopped (or failed) half way, or the connection broke.
const (
	trailerExportComplete = "X-Export-Complete" // "true"
	trailerExportCalls    = "X-Export-Calls"    // the number of lines (calls) in the body
)

// exportFlushBytes is how much of the export is buffered before it is sent on.
const exportFlushBytes = 32 << 10

// exportRefused are the call list's pagination parameters, which an export does not take: it is
// always every matching call, oldest first. A client that sends one expects part of the export,
// and is told so instead of silently getting all of it.
var exportRefused = []string{"after", "before", "page", "limit", "order"}

// handleCallExport serves GET /v1/call/export: the caller's calls that match the call list's
// filters, oldest first, as NDJSON in the format of POST /v1/call/import (store.Export), streamed
// from one read transaction. The export carries transcripts and audit logs, so besides calls.view
// (the route's) it needs messages.view and logs.view.
//
// Once the 200 is sent, an error cannot change the status: the stream is cut off (the connection
// is aborted, so the chunked body does not end cleanly) and the trailers that mark a complete
// export, X-Export-Complete: true and X-Export-Calls: N, are not sent.
func handleCallExport(s *store.Store, log *slog.Logger, cfg Config) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := principal(r)
		for _, perm := range []string{"messages.view", "logs.view"} {
			if !p.Can(perm) {
				code, msg := callsAPI.forbidden(perm)
				callsAPI.write(w, http.StatusForbidden, code, msg)
				return
			}
		}
		q := newQuery(r)
		f := callFilter(q)
		for _, name := range exportRefused {
			if _, ok := q.v[name]; ok {
				q.fail(name, "extra_forbidden", "The export takes no pagination: it is every call that matches the filters, oldest first")
			}
		}
		if len(q.errs) > 0 {
			writeValidation(w, q.errs)
			return
		}

		rc := http.NewResponseController(w)
		bw := bufio.NewWriterSize(w, exportFlushBytes+(4<<10))
		started, writeFailed := false, false
		lastDeadline := time.Time{}
		// The export may take longer than the server's write timeout: the deadline moves on while
		// it makes progress, and a client that stops reading is cut off.
		extendDeadline := func() {
			if now := time.Now(); cfg.WriteTimeout > 0 && now.Sub(lastDeadline) > cfg.WriteTimeout/4 {
				lastDeadline = now
				_ = rc.SetWriteDeadline(now.Add(cfg.WriteTimeout))
			}
		}
		send := func() error {
			if err := bw.Flush(); err != nil {
				return err
			}
			extendDeadline()
			return rc.Flush()
		}
		start := func() {
			if !started {
				started = true
				extendDeadline()
				w.Header().Set("Content-Type", "application/x-ndjson")
				w.Header().Set("Trailer", trailerExportComplete+", "+trailerExportCalls)
				w.WriteHeader(http.StatusOK)
			}
		}
		n, err := s.Export(r.Context(), p, f, func(line []byte) error {
			start()
			_, err := bw.Write(line)
			if err == nil && bw.Buffered() >= exportFlushBytes {
				err = send()
			}
			writeFailed = err != nil
			return err
		})
		if err == nil {
			start() // when nothing matched: an empty body, still marked complete
			err = send()
			writeFailed = err != nil
		}
		switch {
		case err == nil:
			w.Header().Set(trailerExportComplete, "true")
			w.Header().Set(trailerExportCalls, strconv.FormatInt(n, 10))
		case !started && r.Context().Err() != nil:
			// The client went away before the first line: there is no one to answer.
		case !started:
			callsAPI.fail(w, r, log, err)
		default:
			if writeFailed || r.Context().Err() != nil {
				logger(r, log).Info("export cut short: the client stopped reading", "calls", n, "err", err)
			} else {
				logger(r, log).Error("export failed half way; the stream is cut off", "calls", n, "err", err)
			}
			panic(http.ErrAbortHandler) // the client must not take a cut-off stream for a whole one
		}
	})
}
