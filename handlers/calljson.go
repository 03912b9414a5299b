package handlers

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/callstore/callstore/store"
)

// The call list is the hottest response of the API (up to 1,000 calls a page), so its JSON is
// written by hand instead of through encoding/json's reflection: appendCall writes exactly the bytes
// json.NewEncoder(w).Encode would write for the same store.Call (same field order, the same
// escaping of strings, <, > and &, the same time format, dynamic_variables compacted), which
// calljson_test.go checks against encoding/json on fixed and fuzzed input.

// bufPool holds response buffers, so a page is built without growing a new buffer each time.
var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}

// writeJSONBytes writes a finished JSON body (with the trailing newline Encode writes).
func writeJSONBytes(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// writeCallPage writes a page of calls (PaginatedResponse[CallResponse]).
func writeCallPage(w http.ResponseWriter, p store.Page[store.Call]) {
	bp := bufPool.Get().(*[]byte)
	b := appendCallPage((*bp)[:0], p)
	writeJSONBytes(w, http.StatusOK, b)
	if cap(b) <= 1<<20 { // keep ordinary buffers, let a rare huge one go
		*bp = b
		bufPool.Put(bp)
	}
}

// writeCall writes one call (CallResponse).
func writeCall(w http.ResponseWriter, c store.Call) {
	writeJSONBytes(w, http.StatusOK, append(appendCall(make([]byte, 0, 1024), &c), '\n'))
}

func appendCallPage(b []byte, p store.Page[store.Call]) []byte {
	b = append(b, `{"data":[`...)
	for i := range p.Data {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendCall(b, &p.Data[i])
	}
	b = append(b, `],"first_id":`...)
	b = appendOptString(b, p.FirstID)
	b = append(b, `,"last_id":`...)
	b = appendOptString(b, p.LastID)
	b = append(b, `,"has_more":`...)
	b = strconv.AppendBool(b, p.HasMore)
	b = append(b, `,"current_page":`...)
	b = appendOptInt(b, p.CurrentPage)
	b = append(b, `,"total_pages":`...)
	b = appendOptInt(b, p.TotalPages)
	return append(b, "}\n"...)
}

func appendCall(b []byte, c *store.Call) []byte {
	b = append(b, `{"id":`...)
	b = appendString(b, c.ID)
	b = append(b, `,"agent_id":`...)
	b = appendOptString(b, c.AgentID)
	b = append(b, `,"agent_version_id":`...)
	b = appendOptString(b, c.AgentVersionID)
	b = append(b, `,"status":`...)
	b = appendString(b, c.Status)
	b = append(b, `,"recording_url":`...)
	b = appendOptString(b, c.RecordingURL)
	b = append(b, `,"start_time":`...)
	b = appendOptTime(b, c.StartTime)
	b = append(b, `,"end_time":`...)
	b = appendOptTime(b, c.EndTime)
	b = append(b, `,"duration":`...)
	b = appendOptInt(b, c.Duration)
	b = append(b, `,"type":`...)
	b = appendString(b, c.Type)
	b = append(b, `,"end_reason":`...)
	b = appendOptString(b, c.EndReason)
	b = append(b, `,"contact":{"id":`...)
	b = appendString(b, c.Contact.ID)
	b = append(b, `,"created_date":`...)
	b = appendTime(b, c.Contact.CreatedDate)
	b = append(b, `,"identifier":`...)
	b = appendString(b, c.Contact.Identifier)
	b = append(b, `,"contact_type":`...)
	b = appendString(b, c.Contact.ContactType)
	b = append(b, `},"phone_register_id":`...)
	b = appendOptString(b, c.PhoneRegisterID)
	b = append(b, `,"dynamic_variables":`...)
	b = appendRaw(b, c.DynamicVariables)
	b = append(b, `,"created_date":`...)
	b = appendTime(b, c.CreatedDate)
	return append(b, '}')
}

func appendOptString(b []byte, s *string) []byte {
	if s == nil {
		return append(b, "null"...)
	}
	return appendString(b, *s)
}

func appendOptInt(b []byte, n *int64) []byte {
	if n == nil {
		return append(b, "null"...)
	}
	return strconv.AppendInt(b, *n, 10)
}

func appendOptTime(b []byte, t *time.Time) []byte {
	if t == nil {
		return append(b, "null"...)
	}
	return appendTime(b, *t)
}

// appendTime writes t as encoding/json does (RFC 3339 with nanoseconds, trailing zeros dropped).
func appendTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

// appendRaw writes a stored JSON value (null when absent) as encoding/json writes a
// json.RawMessage: compacted, with <, >, &, U+2028 and U+2029 escaped. Stored values are already
// compact (the ingest compacts them), so the common case is a plain copy.
func appendRaw(b []byte, raw json.RawMessage) []byte {
	if len(raw) == 0 {
		return append(b, "null"...)
	}
	if !needsRewrite(raw) {
		return append(b, raw...)
	}
	var compact, escaped bytes.Buffer
	if err := json.Compact(&compact, raw); err != nil {
		return append(b, "null"...) // never stored: the ingest accepts only valid objects
	}
	json.HTMLEscape(&escaped, compact.Bytes())
	return append(b, escaped.Bytes()...)
}

// needsRewrite reports whether encoding/json would change raw: whitespace between tokens, or a
// character it escapes (<, >, &, U+2028, U+2029) anywhere.
func needsRewrite(raw []byte) bool {
	inString, escaped := false, false
	for i, c := range raw {
		switch {
		case c == '<' || c == '>' || c == '&':
			return true
		case c == 0xE2 && i+2 < len(raw) && raw[i+1] == 0x80 && raw[i+2]&^1 == 0xA8:
			return true
		case inString:
			if escaped {
				escaped = false
			} else if c == '\\' {
				escaped = true
			} else if c == '"' {
				inString = false
			}
		case c == '"':
			inString = true
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			return true
		}
	}
	return false
}

// safeASCII marks the bytes a JSON string can carry unescaped under encoding/json's HTML-safe
// escaping.
var safeASCII = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

const hexDigits = "0123456789abcdef"

// appendString writes s as a JSON string exactly as encoding/json does with HTML escaping on:
// \" \\ \n \r \t \b \f, other control characters and <, >, & as \u00XX, invalid UTF-8 as \ufffd, and
// U+2028 and U+2029 as \u2028 and \u2029.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if safeASCII[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
