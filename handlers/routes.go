package handlers

import (
	"log/slog"
	"net/http"

	"callstore/store"
)

// addRoutes is the whole API surface of callstore, one route a line.
func addRoutes(mux *http.ServeMux, s *store.Store, log *slog.Logger, cfg Config) {
	key := bearer(s, log) // the calls API: Authorization: Bearer <api key>, then a permission

	// API keys
	mux.Handle("GET /v1/api_key/{$}", key("api_keys.view", handleAPIKeyList(s, log)))
	mux.Handle("POST /v1/api_key/{$}", key("api_keys.create", handleAPIKeyCreate(s, log)))
	mux.Handle("GET /v1/api_key/{id}", key("api_keys.view", handleAPIKeyGet(s, log)))
	mux.Handle("PATCH /v1/api_key/{id}", key("api_keys.update", handleAPIKeyUpdate(s, log)))
	mux.Handle("DELETE /v1/api_key/{id}", key("api_keys.delete", handleAPIKeyDelete(s, log)))

	// Calls: reading, bulk delete; logs; the OpenAPI document
	mux.Handle("GET /v1/call/{$}", key("calls.view", handleCallList(s, log)))
	mux.Handle("GET /v1/call/{id}", key("calls.view", handleCallGet(s, log)))
	mux.Handle("GET /v1/call/{id}/message", key("messages.view", handleCallMessages(s, log)))
	mux.Handle("POST /v1/call/bulk-delete", key("calls.delete", handleCallBulkDelete(s, log)))
	mux.Handle("GET /v1/log/{$}", key("logs.view", handleLogList(s, log)))
	mux.Handle("GET /v1/log/call/{call_id}", key("logs.view", handleCallLogs(s, log)))
	mux.Handle("GET /openapi.json", handleOpenAPI())

	mux.Handle("/", handleNotFound())
}
