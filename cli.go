package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"time"

	"github.com/callstore/callstore/db"
	"github.com/callstore/callstore/db/postgres"
	"github.com/callstore/callstore/handlers"
	"github.com/callstore/callstore/store"
)

// serveGOGC is the GOGC of `serve` and `seed` when the environment sets none (see runServe).
const serveGOGC = 400

// setGOGC sets serveGOGC unless the environment has a GOGC: the operator's GOGC, and GOMEMLIMIT
// as a soft ceiling, are the Go runtime's own.
func setGOGC(e env) {
	if e.getenv("GOGC") == "" {
		debug.SetGCPercent(serveGOGC)
	}
}

// version is set at build time with -ldflags "-X main.version=..."; "dev" otherwise.
var version = "dev"

// newFlags returns a flag set that reports errors instead of exiting, printing usage to stderr.
func newFlags(name string, e env) *flag.FlagSet {
	fs := flag.NewFlagSet("callstore "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	return fs
}

// parseFlags parses args; -h is not an error (usage was printed).
func parseFlags(fs *flag.FlagSet, args []string) (help bool, err error) {
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		return true, nil
	} else if err != nil {
		return false, err
	}
	if fs.NArg() > 0 {
		return false, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	return false, nil
}

// dbFlag declares -db with the CALLSTORE_DB default shared by every command.
func dbFlag(fs *flag.FlagSet, e env) *string {
	def := e.getenv("CALLSTORE_DB")
	if def == "" {
		def = "callstore.db"
	}
	return fs.String("db", def, "SQLite database file, :memory:, or a postgres:// URL (env CALLSTORE_DB)")
}

// openStore opens the database at path (applying migrations, each logged to log) and a store over
// it; close releases both. A postgres:// URL opens PostgreSQL (docs/scale-out.md), anything else
// a SQLite file.
func openStore(ctx context.Context, e env, path string, log *slog.Logger) (s *store.Store, close func(), err error) {
	var eng interface {
		store.Engine
		Close() error
	}
	if postgres.IsURL(path) {
		eng, err = postgres.Open(ctx, path, postgres.WithLogger(log))
	} else {
		eng, err = openDB(ctx, e, path, log)
	}
	if err != nil {
		return nil, nil, err
	}
	s, err = store.New(ctx, eng)
	if err != nil {
		eng.Close()
		return nil, nil, err
	}
	return s, func() { s.Close(); eng.Close() }, nil
}

// splitPermissions reads a -permissions flag: a comma-separated list makes a restricted key or app,
// an empty flag an unrestricted one.
func splitPermissions(flag string) (restricted bool, perms []string) {
	if flag == "" {
		return false, nil
	}
	for _, p := range strings.Split(flag, ",") {
		perms = append(perms, strings.TrimSpace(p))
	}
	return true, perms
}

func printJSON(e env, v any) error {
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func runServe(ctx context.Context, args []string, e env) error {
	fs := newFlags("serve", e)
	defAddr := e.getenv("CALLSTORE_ADDR")
	if defAddr == "" {
		defAddr = "127.0.0.1:8080"
	}
	addr := fs.String("addr", defAddr, "address to listen on (env CALLSTORE_ADDR)")
	path := dbFlag(fs, e)
	tokenTTL := fs.Duration("token-ttl", time.Hour, "lifetime of access tokens issued by POST /auth/token (refresh tokens live 24 times as long)")
	logFormat := fs.String("log-format", envOr(e, "CALLSTORE_LOG_FORMAT", "text"), "log format: text or json (env CALLSTORE_LOG_FORMAT)")
	logLevel := fs.String("log-level", envOr(e, "CALLSTORE_LOG_LEVEL", "info"), "lowest level logged: debug, info, warn or error (env CALLSTORE_LOG_LEVEL)")
	retention := fs.Duration("retention-interval", 0, "enforce every company's retention period this often, e.g. 1h (0: off)")
	var t serveTimeouts
	fs.DurationVar(&t.readHeader, "read-header-timeout", 10*time.Second, "time to read a request's headers")
	fs.DurationVar(&t.read, "read-timeout", time.Minute, "time to read a whole request; the import resets it while its body keeps arriving")
	fs.DurationVar(&t.write, "write-timeout", time.Minute, "time to answer a request once its headers are read; the import resets it while it works")
	fs.DurationVar(&t.idle, "idle-timeout", 2*time.Minute, "how long a kept-alive connection may wait for its next request")
	fs.DurationVar(&t.shutdown, "shutdown-timeout", 15*time.Second, "on SIGINT/SIGTERM, how long requests in flight may take to finish before connections are closed")
	metricsAddr := fs.String("metrics-addr", envOr(e, "CALLSTORE_METRICS_ADDR", ""), `where GET /metrics is served: "" for the API's own address, another address, or "off" (env CALLSTORE_METRICS_ADDR)`)
	pprofAddr := fs.String("pprof-addr", "", "serve net/http/pprof on this loopback address (off by default)")
	corsOrigins := fs.String("cors-origin", envOr(e, "CALLSTORE_CORS_ORIGIN", ""), "comma-separated origins whose browser pages may call the API, or * (env CALLSTORE_CORS_ORIGIN; default none)")
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	if *tokenTTL <= 0 {
		return fmt.Errorf("-token-ttl must be positive, got %s", *tokenTTL)
	}
	logOut := newLogBuffer(e.stderr, accessLogFlushEvery)
	defer logOut.Close()
	log, err := newLogger(logOut, *logFormat, *logLevel)
	if err != nil {
		return err
	}
	log = slog.New(flushOthers{log.Handler(), logOut})
	if err := t.check(); err != nil {
		return err
	}
	if *retention < 0 {
		return fmt.Errorf("-retention-interval must not be negative, got %s", *retention)
	}
	// The server's live heap is a few MB while a list page allocates ~100 KB, so at Go's default
	// GOGC=100 it collects every few dozen requests. serveGOGC lets the heap grow to a few times
	// its live size between collections: the collector stays on and the heap stays proportional
	// to what is live (docs/performance.md has the measurements).
	setGOGC(e)
	// The ports first: when one is taken, nothing has been created (no file, no company, no key).
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w", *addr, err)
	}
	defer ln.Close()
	var extra []*http.Server // the metrics and pprof servers, when they have addresses of their own
	metricsLn, err := listenExtra("metrics", *metricsAddr, false)
	if err != nil {
		return err
	}
	if metricsLn != nil {
		defer metricsLn.Close()
	}
	pprofLn, err := listenExtra("pprof", *pprofAddr, true)
	if err != nil {
		return err
	}
	if pprofLn != nil {
		defer pprofLn.Close()
	}
	s, closeStore, err := openStore(ctx, e, *path, log)
	if err != nil {
		return err
	}
	defer closeStore()
	cfg := handlers.Config{TokenTTL: *tokenTTL, WriteTimeout: t.write, ReadTimeout: t.read, CORSOrigins: *corsOrigins}
	if *metricsAddr != "off" {
		cfg.Metrics = handlers.NewMetrics(s)
		cfg.MetricsOnMux = metricsLn == nil
	}
	if metricsLn != nil {
		extra = append(extra, serveExtra(metricsLn, cfg.Metrics.Handler(), log))
	}
	if pprofLn != nil {
		extra = append(extra, serveExtra(pprofLn, pprofMux(), log))
	}
	defer func() {
		for _, x := range extra {
			x.Close()
		}
	}()
	var draining atomic.Bool
	cfg.Draining = draining.Load
	srv := &http.Server{
		Handler:           handlers.NewServer(s, log, cfg),
		ReadHeaderTimeout: t.readHeader,
		ReadTimeout:       t.read,
		WriteTimeout:      t.write,
		IdleTimeout:       t.idle,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	// The server answers from here on; only now may a one-time key be printed.
	if err := bootstrap(ctx, s, e); err != nil {
		srv.Close()
		return err
	}
	bi, _ := debug.ReadBuildInfo()
	log.Info("listening on http://"+ln.Addr().String(), "version", versionLine(version, bi), "db", dbName(*path))
	if *retention > 0 {
		retCtx, stopRetention := context.WithCancel(ctx)
		retDone := make(chan struct{})
		go func() { defer close(retDone); retentionLoop(retCtx, s, *retention, log) }()
		defer func() { stopRetention(); <-retDone }() // a batch in flight rolls back before the store closes
		log.Info("retention enforced", "every", *retention)
	}
	if metricsLn != nil {
		log.Info("metrics on http://" + metricsLn.Addr().String() + "/metrics")
	}
	if pprofLn != nil {
		log.Info("pprof on http://" + pprofLn.Addr().String() + "/debug/pprof/")
	}

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// Graceful shutdown: stop accepting, let requests in flight (and their transactions) finish
	// within the timeout; then close what is left (a client that stalls cannot hold the process).
	draining.Store(true) // GET /readyz answers 503 from now on
	shutdownCtx, cancel := context.WithTimeout(context.Background(), t.shutdown)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		log.Warn("shutdown: requests still in flight after the timeout; closing their connections", "timeout", t.shutdown)
		srv.Close()
	}
	log.Info("callstore stopped")
	return nil
}

// listenExtra opens the listener of an auxiliary server (metrics, pprof) when addr names an
// address of its own ("" and "off" name none). loopbackOnly refuses any other address.
func listenExtra(what, addr string, loopbackOnly bool) (net.Listener, error) {
	if addr == "" || addr == "off" {
		return nil, nil
	}
	if loopbackOnly {
		host, _, err := net.SplitHostPort(addr)
		ip := net.ParseIP(host)
		if err != nil || (host != "localhost" && (ip == nil || !ip.IsLoopback())) {
			return nil, fmt.Errorf("-%s-addr must be a loopback address such as 127.0.0.1:6060, not %q", what, addr)
		}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("cannot listen on %s for %s: %w", addr, what, err)
	}
	return ln, nil
}

// serveExtra serves h on ln in the background until the returned server is closed.
func serveExtra(ln net.Listener, h http.Handler, log *slog.Logger) *http.Server {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	go srv.Serve(ln)
	return srv
}

// pprofMux serves net/http/pprof's profiles under /debug/pprof/.
func pprofMux() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}

// maxHeaderBytes bounds a request's headers (a JWT or a key is well under 1 KiB).
const maxHeaderBytes = 64 << 10

// serveTimeouts are serve's HTTP timeouts.
type serveTimeouts struct{ readHeader, read, write, idle, shutdown time.Duration }

func (t serveTimeouts) check() error {
	for _, d := range []time.Duration{t.readHeader, t.read, t.write, t.idle, t.shutdown} {
		if d <= 0 {
			return fmt.Errorf("timeouts must be positive, got %s", d)
		}
	}
	return nil
}

// envOr returns the environment variable name, or def when it is unset.
func envOr(e env, name, def string) string {
	if v := e.getenv(name); v != "" {
		return v
	}
	return def
}

// newLogger returns the server's logger: text or JSON lines on w from the given level up.
func newLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("-log-level must be debug, info, warn or error, not %q", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("-log-format must be text or json, not %q", format)
}

// bootstrap makes a fresh database usable at once: with no company yet, it creates the company
// "default" with an unrestricted key and prints the key (the only time it is shown).
func bootstrap(ctx context.Context, s *store.Store, e env) error {
	n, err := s.CountCompanies(ctx)
	if err != nil || n > 0 {
		return err
	}
	c, err := s.CreateCompany(ctx, "default")
	if err != nil {
		return err
	}
	k, err := s.CreateAPIKey(ctx, c.ID, nil, store.APIKeyInput{Name: "default"})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "created company %q (%s) with an unrestricted API key (shown once):\n  %s\n", c.Name, c.ID, *k.Value)
	return nil
}

// mustExist refuses, for a command that reads or changes existing data, a SQLite file that does
// not exist (db.MustExist), rather than creating an empty one. A PostgreSQL database is checked
// by connecting to it.
func mustExist(path string) error {
	if postgres.IsURL(path) {
		return nil
	}
	return db.MustExist(path)
}

// dbName is how messages and logs name the database of -db: a PostgreSQL URL without its password.
func dbName(path string) string {
	if postgres.IsURL(path) {
		return postgres.Redact(path)
	}
	return path
}
