package handlers

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"

	"github.com/callstore/callstore/store"
)

// dialect is the skeleton every wire dialect shares: how a request is authenticated, how an error
// is written, and the dialect's own words for the store's reasons. The store speaks in reason codes
// and neutral messages; each dialect file declares one dialect and owns its words.
type dialect struct {
	// name is how the deletion audit trail names the dialect (store.Principal.Dialect).
	name string
	// authenticate resolves the caller from the request's headers.
	authenticate func(s *store.Store, r *http.Request) (store.Principal, error)
	// write writes an error body in the dialect's envelope.
	write func(w http.ResponseWriter, status int, code, msg string)
	// forbidden is the code and message of a missing permission (status 403).
	forbidden func(perm string) (code, msg string)
	// internal is the message of a 500 (its code is INTERNAL_SERVER_ERROR).
	internal string
	// words replace the status, code or message of some of the store's reasons: the texts and
	// codes the dialect's documentation gives. Zero fields keep the defaults.
	words map[string]wording
}

// wording is what a dialect says for one reason of the store.
type wording struct {
	status int
	code   string
	msg    string
}

// codeStatus is the default HTTP status of each domain error code, shared by every dialect.
var codeStatus = map[store.Code]int{
	store.EINVALID:      http.StatusBadRequest,
	store.ENOTFOUND:     http.StatusNotFound,
	store.ECONFLICT:     http.StatusConflict,
	store.EUNAUTHORIZED: http.StatusUnauthorized,
	store.EFORBIDDEN:    http.StatusForbidden,
}

type principalKey struct{}

// principal returns the authenticated caller the dialect's guard put in the request context.
func principal(r *http.Request) store.Principal {
	p, _ := r.Context().Value(principalKey{}).(store.Principal)
	return p
}

// guard returns the dialect's auth middleware: the credentials, then the permission, before
// anything else of the request is read, so a caller without access learns nothing.
func (d *dialect) guard(s *store.Store, log *slog.Logger) func(perm string, next http.Handler) http.Handler {
	return func(perm string, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p, err := d.authenticate(s, r)
			if err != nil {
				d.fail(w, r, log, err)
				return
			}
			if ri := info(r); ri != nil {
				ri.companyID = p.CompanyID
			}
			if !p.Can(perm) {
				code, msg := d.forbidden(perm)
				d.write(w, http.StatusForbidden, code, msg)
				return
			}
			p.Dialect, p.Route = d.name, r.Pattern
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)))
		})
	}
}

// fail writes err in the dialect's envelope: a domain error with the status of its code, its
// reason as the code and the store's message, unless the dialect words that reason otherwise;
// anything else is logged and answered with the dialect's 500.
func (d *dialect) fail(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	code := store.ErrorCode(err)
	if code == store.EINTERNAL {
		logger(r, log).Error("internal error", "method", r.Method, "path", r.URL.Path, "err", err)
		d.write(w, http.StatusInternalServerError, "INTERNAL_SERVER_ERROR", d.internal)
		return
	}
	reason := store.ErrorReason(err)
	say := wording{status: codeStatus[code], code: reason, msg: store.ErrorMessage(err)}
	if say.code == "" {
		say.code = "ERROR"
	}
	if wd, ok := d.words[reason]; ok {
		if wd.status != 0 {
			say.status = wd.status
		}
		if wd.code != "" {
			say.code = wd.code
		}
		if wd.msg != "" {
			say.msg = wd.msg
		}
	}
	d.write(w, say.status, say.code, say.msg)
}

// reply is the tail of a handler: v with status, or err in the dialect's envelope.
func (d *dialect) reply(w http.ResponseWriter, r *http.Request, log *slog.Logger, status int, v any, err error) {
	if err != nil {
		d.fail(w, r, log, err)
		return
	}
	encode(w, status, v)
}

// readBody reads a request body of at most limit bytes. A larger body gets 413 PAYLOAD_TOO_LARGE,
// an unreadable one 400 INVALID_BODY, both in the dialect's envelope, and ok=false.
func (d *dialect) readBody(w http.ResponseWriter, r *http.Request, limit int64) (body []byte, ok bool) {
	buf, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		d.write(w, http.StatusRequestEntityTooLarge, "PAYLOAD_TOO_LARGE", fmt.Sprintf("Request body exceeds the limit of %d bytes", limit))
		return nil, false
	} else if err != nil {
		d.write(w, http.StatusBadRequest, "INVALID_BODY", "Could not read the request body")
		return nil, false
	}
	return buf, true
}
