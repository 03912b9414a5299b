package handlers

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/callstore/callstore/store"
)

// Limits of POST /v1/call/import. The body is streamed line by line and never held whole, so its
// limit only bounds one request's hold on the writer; bigger loads are split into several files.
const (
	maxImportLine = 16 << 20 // one call with its transcript and logs
	maxImportBody = 8 << 30
)

// handleCallImport serves POST /v1/call/import: newline-delimited JSON, one complete call per
// line -> 200 {"imported": N, "failed": [{"line", "error_code", "message"}], "failed_count": M}.
// Any Content-Type is accepted (application/x-ndjson is the natural one).
func handleCallImport(s *store.Store, log *slog.Logger, cfg Config) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body io.Reader = http.MaxBytesReader(w, r.Body, maxImportBody)
		if cfg.ReadTimeout > 0 && cfg.WriteTimeout > 0 {
			body = &progressDeadlines{r: body, rc: http.NewResponseController(w), read: cfg.ReadTimeout, write: cfg.WriteTimeout}
		}
		// net/http cancels the request's context when reading its body fails (the client went
		// away, or stalled past the read deadline). The import must still write the lines it read
		// completely and report where reading stopped, as its answer promises; it cannot run on
		// after that, as its input has ended.
		res, err := s.Import(context.WithoutCancel(r.Context()), principal(r), importLines(body))
		callsAPI.reply(w, r, log, http.StatusOK, res, err)
	})
}

// progressDeadlines moves a connection's deadlines forward whenever the body it reads makes
// progress: reading may pause for at most read between two pieces of the body, and the answer
// has write after the last piece to be written. An import of any size works at any steady pace;
// a client that stops sending is cut off after read.
type progressDeadlines struct {
	r           io.Reader
	rc          *http.ResponseController
	read, write time.Duration
	last        time.Time
}

func (p *progressDeadlines) Read(b []byte) (int, error) {
	// Moving the deadlines costs a little, so it is done a few times per read period, not per read.
	if now := time.Now(); now.Sub(p.last) > p.read/4 {
		p.last = now
		_ = p.rc.SetReadDeadline(now.Add(p.read))
		_ = p.rc.SetWriteDeadline(now.Add(p.read + p.write))
	}
	return p.r.Read(b)
}

// utf8BOM is tolerated at the start of a file (some exporters write one).
var utf8BOM = []byte("\xef\xbb\xbf")

// importLines reads r as NDJSON and yields each non-blank line parsed, or with the reason it cannot
// be imported. A failure to read the body (too large, connection lost) is reported at the line
// where it happened and ends the input.
func importLines(r io.Reader) iter.Seq[store.ImportLine] {
	return func(yield func(store.ImportLine) bool) {
		br := bufio.NewReaderSize(r, 64<<10)
		var buf []byte
		for n := 1; ; n++ {
			line, tooLong, err := readLine(br, buf[:0], maxImportLine)
			buf = line
			if err != nil && err != io.EOF {
				var tooBig *http.MaxBytesError
				l := store.ImportLine{Line: n, Err: store.Errorf(store.EINVALID, "READ_ERROR", "reading the body failed: %v", err)}
				if errors.As(err, &tooBig) {
					l.Err = store.Errorf(store.EINVALID, "PAYLOAD_TOO_LARGE", "the body exceeds the limit of %d bytes; split the import into several requests", maxImportBody)
				}
				yield(l)
				return
			}
			if n == 1 {
				line = bytes.TrimPrefix(line, utf8BOM)
			}
			switch {
			case tooLong:
				l := store.ImportLine{Line: n, Err: store.Errorf(store.EINVALID, "LINE_TOO_LONG", "the line exceeds the limit of %d bytes", maxImportLine)}
				if !yield(l) {
					return
				}
			case len(bytes.TrimSpace(line)) > 0:
				if !yield(parseImportLine(n, line)) {
					return
				}
			}
			if err == io.EOF {
				return
			}
		}
	}
}

// readLine reads one line (without caring for its terminator) into buf. A line longer than max is
// skipped to its end and reported as tooLong.
func readLine(br *bufio.Reader, buf []byte, max int) (line []byte, tooLong bool, err error) {
	for {
		chunk, err := br.ReadSlice('\n')
		if !tooLong {
			if len(buf)+len(chunk) > max+1 { // +1: the newline
				tooLong, buf = true, buf[:0]
			} else {
				buf = append(buf, chunk...)
			}
		}
		if err != bufio.ErrBufferFull {
			return buf, tooLong, err
		}
	}
}

// parseImportLine reads one import line: every field of a CallResponse (id, status, type, times,
// duration, contact {identifier, contact_type}, ...) or of a CallRequest, plus "messages" and "logs"
// arrays shaped like the append endpoints' items with optional ids.
func parseImportLine(n int, line []byte) store.ImportLine {
	f, errs := parseObject(line)
	if errs != nil {
		msg := "the line must be a JSON object"
		if errs[0].Type == "json_invalid" {
			msg = fmt.Sprintf("the line is not valid JSON (error near byte %v)", errs[0].Loc[len(errs[0].Loc)-1])
		}
		return store.ImportLine{Line: n, Err: store.Errorf(store.EINVALID, "INVALID_JSON", "%s", msg)}
	}
	ic := store.ImportCall{Call: callFields(f, true)}
	for _, mf := range objectList(f, "messages") {
		ic.Messages = append(ic.Messages, messageFields(mf, true))
		f.errs = append(f.errs, mf.errs...)
	}
	for _, lf := range objectList(f, "logs") {
		ic.Logs = append(ic.Logs, logFields(lf, true))
		f.errs = append(f.errs, lf.errs...)
	}
	if len(f.errs) > 0 {
		return store.ImportLine{Line: n, Err: store.Errorf(store.EINVALID, "VALIDATION_ERROR", "%s", describe(f.errs))}
	}
	return store.ImportLine{Line: n, Call: ic}
}

// objectList reads an optional list of objects, each with its own location [..., name, index].
func objectList(f *fields, name string) []*fields {
	raw := f.get(name, false)
	if raw == nil {
		return nil
	}
	var items []json.RawMessage
	if raw[0] != '[' || json.Unmarshal(raw, &items) != nil {
		f.fail(name, "list_type", "Input should be a valid list")
		return nil
	}
	out := make([]*fields, 0, len(items))
	for i, it := range items {
		o, errs := objectFrom(it, append(append([]any{}, f.loc...), name, i))
		if errs != nil {
			f.errs = append(f.errs, errs...)
			continue
		}
		out = append(out, o)
	}
	return out
}

// describe turns validation errors into one message: "messages.3.role: Input should be ...; ...".
func describe(errs []ValidationError) string {
	parts := make([]string, 0, len(errs))
	for _, e := range errs {
		loc := e.Loc
		if len(loc) > 0 && loc[0] == "body" {
			loc = loc[1:]
		}
		names := make([]string, len(loc))
		for i, l := range loc {
			names[i] = fmt.Sprint(l)
		}
		parts = append(parts, strings.Join(names, ".")+": "+e.Msg)
	}
	return strings.Join(parts, "; ")
}
