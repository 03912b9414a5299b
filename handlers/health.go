package handlers

import (
	"log/slog"
	"net/http"

	"github.com/callstore/callstore/store"
)

// handleHealthz serves GET /healthz: the process is alive and answering (no database involved).
func handleHealthz() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		encode(w, http.StatusOK, map[string]string{"status": "ok"})
	})
}

// readiness is GET /readyz's answer.
type readiness struct {
	Status        string `json:"status"` // "ready" or "not ready"
	Reason        string `json:"reason,omitempty"`
	SchemaVersion int64  `json:"schema_version"` // the schema this binary serves
}

// handleReadyz serves GET /readyz: 200 when the database answers, its schema is this binary's and
// the server is not shutting down; 503 with the reason otherwise (a load balancer stops sending
// requests, an orchestrator waits).
func handleReadyz(s *store.Store, log *slog.Logger, cfg Config) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		out := readiness{Status: "ready", SchemaVersion: s.Engine().LatestVersion()}
		if cfg.Draining != nil && cfg.Draining() {
			out.Reason = "shutting down"
		} else if err := s.Ready(r.Context()); err != nil {
			out.Reason = err.Error()
			logger(r, log).Warn("not ready", "reason", out.Reason)
		}
		if out.Reason != "" {
			out.Status = "not ready"
			encode(w, http.StatusServiceUnavailable, out)
			return
		}
		encode(w, http.StatusOK, out)
	})
}
