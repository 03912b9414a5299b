package handlers

import (
	"net/http"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/callstore/callstore/db"
	"github.com/callstore/callstore/db/postgres"
	"github.com/callstore/callstore/store"
)

// Metrics are the server's Prometheus metrics (GET /metrics, or -metrics-addr).
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	inFlight prometheus.Gauge
	deleted  *prometheus.CounterVec
}

// NewMetrics creates the metrics of a server over s: requests by route pattern and status,
// latencies by route, requests in flight, rows removed by deletions, the database's connection
// pools, WAL size and checkpoints, and the Go runtime and process. It sets s.OnDelete.
func NewMetrics(s *store.Store) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "callstore_http_requests_total", Help: "HTTP requests answered, by route pattern and status.",
		}, []string{"route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "callstore_http_request_duration_seconds", Help: "Time to answer an HTTP request, by route pattern.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "callstore_http_requests_in_flight", Help: "HTTP requests being answered.",
		}),
		deleted: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "callstore_deleted_rows_total",
			Help: "Rows removed by deletions, by kind: contacts, calls, messages, and logs_detached (log entries kept with call_id set to null). Bulk deletes of calls count their calls only.",
		}, []string{"kind"}),
	}
	m.reg.MustRegister(m.requests, m.duration, m.inFlight, m.deleted,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	switch d := s.Engine().(type) {
	case *db.DB:
		registerSQLiteMetrics(m.reg, d)
	case *postgres.DB:
		registerPostgresMetrics(m.reg, d)
	}
	for _, kind := range []string{"contacts", "calls", "messages", "logs_detached", "logs_redacted"} {
		m.deleted.WithLabelValues(kind) // present at 0 from the start
	}
	s.OnDelete = func(del store.DeletionCounts) {
		m.deleted.WithLabelValues("contacts").Add(float64(del.Contacts))
		m.deleted.WithLabelValues("calls").Add(float64(del.Calls))
		m.deleted.WithLabelValues("messages").Add(float64(del.Messages))
		m.deleted.WithLabelValues("logs_detached").Add(float64(del.LogsDetached))
		m.deleted.WithLabelValues("logs_redacted").Add(float64(del.LogsRedacted))
	}
	return m
}

func checkpointCounter(result, help string, load func() int64) prometheus.Collector {
	return prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "callstore_checkpoints_total", Help: "Checkpoints of the database, by result.",
		ConstLabels: prometheus.Labels{"result": result},
	}, func() float64 { return float64(load()) })
}

// Handler serves the metrics in Prometheus's text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// begin counts a request in flight; the returned function records its answer.
func (m *Metrics) begin() func(route string, status int, took time.Duration) {
	if m == nil {
		return func(string, int, time.Duration) {}
	}
	m.inFlight.Inc()
	return func(route string, status int, took time.Duration) {
		m.inFlight.Dec()
		m.requests.WithLabelValues(route, strconv.Itoa(status)).Inc()
		m.duration.WithLabelValues(route).Observe(took.Seconds())
	}
}

// registerSQLiteMetrics registers the pools, the WAL and the checkpoints of a SQLite database.
func registerSQLiteMetrics(reg *prometheus.Registry, d *db.DB) {
	ckpt := &d.Checkpoints
	reg.MustRegister(
		collectors.NewDBStatsCollector(d.Write, "writer"),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "callstore_wal_bytes", Help: "Size of the database's write-ahead log.",
		}, func() float64 { return float64(d.WALSize()) }),
		checkpointCounter("finished", "Checkpoints that copied every WAL frame into the database.", ckpt.Finished.Load),
		checkpointCounter("busy", "Checkpoints that left frames a reader still needed, for a later one.", ckpt.Busy.Load),
		checkpointCounter("failed", "Checkpoints that failed with an error.", ckpt.Failed.Load),
		checkpointCounter("truncated", "Checkpoints after a deletion that emptied the WAL file (also counted as finished).", ckpt.Truncated.Load),
		checkpointCounter("truncate_busy", "Rounds after a deletion whose WAL truncation a reader or writer held off, for a later one.", ckpt.TruncateBusy.Load),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "callstore_checkpoint_frames_copied_total", Help: "WAL frames copied into the database by checkpoints.",
		}, func() float64 { return float64(ckpt.FramesCopied.Load()) }),
	)
	if d.Read != d.Write {
		reg.MustRegister(collectors.NewDBStatsCollector(d.Read, "reader"))
	}
}

// registerPostgresMetrics registers the state of the connection pool to a PostgreSQL database.
func registerPostgresMetrics(reg *prometheus.Registry, d *postgres.DB) {
	gauge := func(name, help string, f func() float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "callstore_pg_pool_" + name, Help: help}, f)
	}
	counter := func(name, help string, f func() float64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "callstore_pg_pool_" + name, Help: help}, f)
	}
	st := func() *pgxpool.Stat { return d.Pool.Stat() }
	reg.MustRegister(
		gauge("connections", "Connections the pool holds, in use or idle.", func() float64 { return float64(st().TotalConns()) }),
		gauge("connections_in_use", "Connections in use by a request.", func() float64 { return float64(st().AcquiredConns()) }),
		gauge("max_connections", "The pool's size.", func() float64 { return float64(st().MaxConns()) }),
		counter("acquires_total", "Connections handed to requests.", func() float64 { return float64(st().AcquireCount()) }),
		counter("acquire_waits_total", "Requests that waited for a connection because all were in use.", func() float64 { return float64(st().EmptyAcquireCount()) }),
		counter("acquire_wait_seconds_total", "Time requests spent waiting for a connection.", func() float64 { return st().AcquireDuration().Seconds() }),
		counter("new_connections_total", "Connections opened (after a failover, to the new primary).", func() float64 { return float64(st().NewConnsCount()) }),
	)
}
