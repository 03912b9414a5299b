package handlers

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"

	"callstore/store"
)

// maxBody is the largest request body any endpoint reads (1 MiB); the import endpoint has its own.
const maxBody = 1 << 20

// encode writes v as JSON with the given status.
func encode(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// apiError is the calls API's error envelope (the contract's ErrorResponseSchema).
type apiError struct {
	Status    string `json:"status"`
	ErrorCode string `json:"error_code"`
	Message   string `json:"message"`
}

// writeError writes the calls API's error envelope.
func writeError(w http.ResponseWriter, status int, code, message string) {
	encode(w, status, apiError{Status: "error", ErrorCode: code, Message: message})
}

// reasonStatus maps the few reasons whose status differs from their code's default.
var reasonStatus = map[string]int{
	store.ErrPaginationParams: http.StatusUnprocessableEntity,
}

// codeStatus is the one table from domain error codes to HTTP statuses of the calls API.
var codeStatus = map[store.Code]int{
	store.EINVALID:      http.StatusBadRequest,
	store.ENOTFOUND:     http.StatusNotFound,
	store.ECONFLICT:     http.StatusConflict,
	store.EUNAUTHORIZED: http.StatusUnauthorized,
	store.EFORBIDDEN:    http.StatusForbidden,
}

// writeStoreError writes a domain error in the calls API's envelope; internal errors are logged
// and answered with the contract's generic 500.
func writeStoreError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	code := store.ErrorCode(err)
	if code == store.EINTERNAL {
		log.Error("internal error", "method", r.Method, "path", r.URL.Path, "err", err)
		writeError(w, http.StatusInternalServerError, "INTERNAL_SERVER_ERROR", "Error: Internal Server Error")
		return
	}
	reason := store.ErrorReason(err)
	status, ok := reasonStatus[reason]
	if !ok {
		status = codeStatus[code]
	}
	if reason == "" {
		reason = "ERROR"
	}
	writeError(w, status, reason, store.ErrorMessage(err))
}

// ValidationError is one entry of a FastAPI-style 422 body.
type ValidationError struct {
	Loc  []any  `json:"loc"`
	Msg  string `json:"msg"`
	Type string `json:"type"`
}

// writeValidation writes a FastAPI-style 422 {"detail": [...]}.
func writeValidation(w http.ResponseWriter, errs []ValidationError) {
	encode(w, http.StatusUnprocessableEntity, map[string]any{"detail": errs})
}

// readBody reads a request body of at most limit bytes. A larger body gets 413 in the calls API's
// envelope and ok=false.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) (body []byte, ok bool) {
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	buf, err := io.ReadAll(r.Body)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		writeError(w, http.StatusRequestEntityTooLarge, "PAYLOAD_TOO_LARGE", fmt.Sprintf("Request body exceeds the limit of %d bytes", limit))
		return nil, false
	} else if err != nil {
		writeError(w, http.StatusBadRequest, "INVALID_BODY", "Could not read the request body")
		return nil, false
	}
	return buf, true
}

// reply is the tail of a calls-API handler: v with status, or err in the API's error envelope.
func reply(w http.ResponseWriter, r *http.Request, log *slog.Logger, status int, v any, err error) {
	if err != nil {
		writeStoreError(w, r, log, err)
		return
	}
	encode(w, status, v)
}
