package handlers

import (
	"net/http"
	"strings"

	"github.com/callstore/callstore/store"
)

// The calls API (Diga's contract, and callstore's native API under /v1/): `Authorization: Bearer
// <api key>`, errors as {"status":"error","error_code","message"}, malformed input as FastAPI's 422.

// callsAPI is the calls API's dialect: its auth, its envelope and the words its contract documents.
var callsAPI = &dialect{
	name: "calls",
	authenticate: func(s *store.Store, r *http.Request) (store.Principal, error) {
		scheme, secret, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		if !strings.EqualFold(scheme, "Bearer") {
			secret = ""
		}
		return s.Authenticate(r.Context(), strings.TrimSpace(secret))
	},
	write: writeError,
	forbidden: func(perm string) (string, string) {
		// The contract documents this error_code for a missing permission.
		return "INTERNAL_SERVER_ERROR", "Missing required permissions to " + permissionAction(perm)
	},
	internal: "Error: Internal Server Error",
	words: map[string]wording{
		store.ReasonAPIKeyInvalid:   {msg: "Invalid or missing API key"},
		store.ReasonInvalidCursor:   {code: "NOT_VALID_FIELD", msg: "Invalid field value in query parameters"},
		store.ReasonBothCursors:     {status: http.StatusUnprocessableEntity, code: "INVALID_PAGINATION_PARAMETERS", msg: "Cannot specify both 'before' and 'after' parameters"},
		store.ReasonPageWithCursor:  {status: http.StatusUnprocessableEntity, code: "INVALID_PAGINATION_PARAMETERS"},
		store.ReasonPaginationRange: {status: http.StatusUnprocessableEntity, code: "INVALID_PAGINATION_PARAMETERS"},
	},
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

// permissionAction turns "calls.view" into "view calls", "api_keys.create" into "create api keys".
func permissionAction(perm string) string {
	noun, verb, _ := strings.Cut(perm, ".")
	return verb + " " + strings.ReplaceAll(noun, "_", " ")
}
