package handlers

import (
	"log/slog"
	"net/http"

	"github.com/callstore/callstore/store"
)

// addRoutes is the whole API surface of callstore, one route a line.
func addRoutes(mux *http.ServeMux, s *store.Store, log *slog.Logger, cfg Config) {
	key := callsAPI.guard(s, log) // the calls API: Authorization: Bearer <api key>, then a permission

	// API keys
	mux.Handle("GET /v1/api_key/{$}", key("api_keys.view", handleAPIKeyList(s, log)))
	mux.Handle("POST /v1/api_key/{$}", key("api_keys.create", handleAPIKeyCreate(s, log)))
	mux.Handle("GET /v1/api_key/{id}", key("api_keys.view", handleAPIKeyGet(s, log)))
	mux.Handle("PATCH /v1/api_key/{id}", key("api_keys.update", handleAPIKeyUpdate(s, log)))
	mux.Handle("DELETE /v1/api_key/{id}", key("api_keys.delete", handleAPIKeyDelete(s, log)))

	// Calls: reading, bulk delete; logs
	mux.Handle("GET /v1/call/{$}", key("calls.view", handleCallList(s, log)))
	mux.Handle("GET /v1/call/{id}", key("calls.view", handleCallGet(s, log)))
	mux.Handle("GET /v1/call/{id}/message", key("messages.view", handleCallMessages(s, log)))
	mux.Handle("GET /v1/call/export", key("calls.view", handleCallExport(s, log, cfg)))
	mux.Handle("POST /v1/call/bulk-delete", key("calls.delete", handleCallBulkDelete(s, log)))
	mux.Handle("GET /v1/log/{$}", key("logs.view", handleLogList(s, log)))
	mux.Handle("GET /v1/log/call/{call_id}", key("logs.view", handleCallLogs(s, log)))

	// Ingest: recording calls, their transcripts and audit logs, and bulk import (NDJSON)
	mux.Handle("POST /v1/call/{$}", key("calls.create", handleCallCreate(s, log)))
	mux.Handle("POST /v1/call/import", key("calls.create", handleCallImport(s, log, cfg)))
	mux.Handle("PATCH /v1/call/{id}", key("calls.update", handleCallUpdate(s, log)))
	mux.Handle("POST /v1/call/{id}/message", key("calls.update", handleMessageAppend(s, log)))
	mux.Handle("POST /v1/log/call/{call_id}", key("calls.update", handleLogAppend(s, log)))

	// Contacts: one deletion engine (store.DeleteContacts) in three dialects.
	mux.Handle("GET /v1/contact/{$}", key("contacts.view", handleContactList(s, log)))
	mux.Handle("GET /v1/contact/{id}", key("contacts.view", handleContactGet(s, log)))
	mux.Handle("POST /v1/contact/bulk-delete", key("contacts.delete", handleContactBulkDelete(s, log)))
	jwt := koreai.guard(s, log) // Kore.ai-style: `auth: <HS256 JWT of an app>` + `accountId`
	mux.Handle("DELETE /agentassist/api/v1/public/{streamId}/contacts/bulk-delete", jwt("contacts.delete", handleKoreaiBulkDelete(s, log)))
	mux.Handle("DELETE /agentassist/api/v1/public/{streamId}/contacts/{id}", jwt("contacts.delete", handleKoreaiDelete(s, log)))
	token := genlogs.guard(s, log) // GenLogs-style: `Access-Token` from POST /auth/token + `X-Api-Key`
	mux.Handle("POST /auth/token", handleGenlogsToken(s, log, cfg.TokenTTL))
	mux.Handle("POST /auth/token/{$}", handleGenlogsToken(s, log, cfg.TokenTTL)) // as in GenLogs's own example
	mux.Handle("DELETE /onboarded-carrier/bulk/contacts", token("contacts.delete", handleGenlogsBulkDelete(s, log)))
	mux.Handle("DELETE /onboarded-carrier/contacts/{contact_id}", token("contacts.delete", handleGenlogsDelete(s, log)))

	// Data lifecycle: purge with preview, erasure by person, the deletion audit trail, retention
	mux.Handle("POST /v1/call/purge", key("calls.delete", handleCallPurge(s, log, cfg)))
	mux.Handle("POST /v1/contact/erase", key("contacts.delete", handleContactErase(s, log)))
	mux.Handle("GET /v1/deletion/{$}", key(store.PermDeletionsView, handleDeletionList(s, log)))
	mux.Handle("GET /v1/deletion/{id}", key(store.PermDeletionsView, handleDeletionGet(s, log)))
	mux.Handle("GET /v1/retention", key(store.PermDeletionsView, handleRetentionGet(s, log)))

	// Health of the process and readiness to serve (no authentication)
	mux.Handle("GET /healthz", handleHealthz())
	mux.Handle("GET /readyz", handleReadyz(s, log, cfg))
	if cfg.Metrics != nil && cfg.MetricsOnMux {
		mux.Handle("GET /metrics", cfg.Metrics.Handler()) // Prometheus text format
	}

	// The OpenAPI documents, one per dialect (no authentication)
	mux.Handle("GET /openapi.json", handleOpenAPI(openapiCalls))
	mux.Handle("GET /openapi/koreai.json", handleOpenAPI(openapiKoreai))
	mux.Handle("GET /openapi/genlogs.json", handleOpenAPI(openapiGenlogs))
	mux.Handle("GET /docs", handleDocs())                    // the documents in a browser (Redoc, embedded)
	mux.Handle("GET /docs/assets/{name}", handleDocsAsset()) // the page's script, style and vendored files

	mux.Handle("/", handleUnmatched(mux)) // 404, or 405 with Allow, in the dialect's envelope
}
