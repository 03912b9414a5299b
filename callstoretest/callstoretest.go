// Package callstoretest runs a complete callstore server for tests: the whole HTTP API over a
// fresh in-memory database on an httptest server, with a company and an unrestricted API key
// ready, closed when the test ends. Point the code under test at Server.URL with Server.Key, or
// use Server.Client, and assert on what callstore holds.
//
//	srv := callstoretest.New(t)
//	c := srv.Client() // the calls API's typed client, key set
//	call := srv.AddCall(t, store.ImportCall{Call: store.CallInput{Status: store.StatusCompleted,
//		Contact: &store.ContactInput{Identifier: "+34600111222"}}})
//
// Every New is isolated from every other (its own database), so tests may run in parallel.
package callstoretest

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/callstore/callstore/client"
	"github.com/callstore/callstore/db"
	"github.com/callstore/callstore/handlers"
	"github.com/callstore/callstore/store"
)

// Server is one running callstore.
type Server struct {
	URL     string        // the base URL of the API, e.g. http://127.0.0.1:41234
	Key     string        // an unrestricted API key of Company
	Company store.Company // the company the server starts with
	Store   *store.Store  // the server's store, for records and assertions without HTTP
	Clock   *Clock        // the store's clock when WithClock was given, else nil (the wall clock)

	tokenTTL  time.Duration
	close     func()
	closeOnce sync.Once
}

type config struct {
	clock    *Clock
	tokenTTL time.Duration
	log      *slog.Logger
}

// Option changes how New sets a server up.
type Option func(*config)

// WithClock makes the store read time from c, so expiry (API keys, access tokens, JWTs) and
// created dates can be tested without waiting: c.Advance moves it.
func WithClock(c *Clock) Option { return func(cfg *config) { cfg.clock = c } }

// WithTokenTTL sets the lifetime of the access tokens POST /auth/token issues (default 1h).
func WithTokenTTL(d time.Duration) Option { return func(cfg *config) { cfg.tokenTTL = d } }

// WithLogger makes the server log to l (default: nowhere).
func WithLogger(l *slog.Logger) Option { return func(cfg *config) { cfg.log = l } }

// New starts a server on a fresh in-memory database, with the company "test" and an unrestricted
// key, and stops it (closing the database) when tb ends.
func New(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	s, err := Start(opts...)
	if err != nil {
		tb.Fatalf("callstoretest: %v", err)
	}
	tb.Cleanup(s.Close)
	return s
}

// Start is New for code that has no testing.TB (examples, a program that embeds callstore): the
// caller stops the server with Close.
func Start(opts ...Option) (*Server, error) {
	cfg := config{log: slog.New(slog.NewTextHandler(io.Discard, nil)), tokenTTL: time.Hour}
	for _, o := range opts {
		o(&cfg)
	}
	ctx := context.Background()
	d, err := db.Open(ctx, ":memory:")
	if err != nil {
		return nil, err
	}
	st, err := store.New(ctx, d)
	if err != nil {
		d.Close()
		return nil, err
	}
	if cfg.clock != nil {
		st.Now = cfg.clock.Now
	}
	hs := httptest.NewServer(handlers.NewServer(st, cfg.log, handlers.Config{TokenTTL: cfg.tokenTTL}))
	s := &Server{URL: hs.URL, Store: st, Clock: cfg.clock, tokenTTL: cfg.tokenTTL,
		close: func() { hs.Close(); st.Close(); d.Close() }}
	if s.Company, s.Key, err = s.addCompany("test"); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Close stops the server and closes its database. New's servers close themselves.
func (s *Server) Close() { s.closeOnce.Do(s.close) }

// Client returns a typed client of the calls API that authenticates with Key.
func (s *Server) Client() *client.ClientWithResponses { return s.ClientWithKey(s.Key) }

// ClientWithKey returns a typed client of the calls API that authenticates with key.
func (s *Server) ClientWithKey(key string) *client.ClientWithResponses {
	c, err := client.NewClientWithResponses(s.URL, client.WithRequestEditorFn(func(_ context.Context, r *http.Request) error {
		r.Header.Set("Authorization", "Bearer "+key)
		return nil
	}))
	if err != nil {
		panic(err) // only a malformed server URL fails, and ours is httptest's
	}
	return c
}

// HTTPClient returns an *http.Client that sends `Authorization: Bearer Key` with every request,
// for requests the typed client does not cover (other dialects, raw bodies).
func (s *Server) HTTPClient() *http.Client {
	return &http.Client{Transport: bearer{key: s.Key}}
}

type bearer struct{ key string }

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	if r.Header.Get("Authorization") == "" {
		r.Header.Set("Authorization", "Bearer "+b.key)
	}
	return http.DefaultTransport.RoundTrip(r)
}

// AddCompany creates another company with an unrestricted key of its own.
func (s *Server) AddCompany(tb testing.TB, name string) (store.Company, string) {
	tb.Helper()
	c, key, err := s.addCompany(name)
	if err != nil {
		tb.Fatalf("callstoretest: %v", err)
	}
	return c, key
}

func (s *Server) addCompany(name string) (store.Company, string, error) {
	ctx := context.Background()
	c, err := s.Store.CreateCompany(ctx, name)
	if err != nil {
		return c, "", err
	}
	k, err := s.Store.CreateAPIKey(ctx, c.ID, nil, store.APIKeyInput{Name: "callstoretest"})
	if err != nil {
		return c, "", err
	}
	return c, *k.Value, nil
}

// AddKey creates a restricted key of Company holding exactly perms (store.Permissions lists
// them), and returns its secret.
func (s *Server) AddKey(tb testing.TB, perms ...string) string {
	tb.Helper()
	k, err := s.Store.CreateAPIKey(context.Background(), s.Company.ID, nil,
		store.APIKeyInput{Name: "callstoretest restricted", Restricted: true, Permissions: slices.Clone(perms)})
	if err != nil {
		tb.Fatalf("callstoretest: %v", err)
	}
	return *k.Value
}

// AddCall records a call of Company with its messages and logs, through the same code as
// POST /v1/call/import (so derived fields such as duration are what the API would make), and
// returns the call as GET /v1/call/{id} shows it. A call without a contact gets +34600000000.
func (s *Server) AddCall(tb testing.TB, c store.ImportCall) store.Call {
	tb.Helper()
	return s.AddCallOf(tb, s.Company.ID, c)
}

// AddCallOf is AddCall for another company (see AddCompany).
func (s *Server) AddCallOf(tb testing.TB, companyID string, c store.ImportCall) store.Call {
	tb.Helper()
	if c.Call.Contact == nil && c.Call.FromNumber == "" && c.Call.ToNumber == "" {
		c.Call.Contact = &store.ContactInput{Identifier: "+34600000000"}
	}
	if c.Call.ID == "" {
		c.Call.ID = store.NewID()
	}
	ctx := context.Background()
	p := store.Principal{CompanyID: companyID}
	res, err := s.Store.Import(ctx, p, slices.Values([]store.ImportLine{{Line: 1, Call: c}}))
	if err != nil {
		tb.Fatalf("callstoretest: %v", err)
	}
	if res.Imported != 1 {
		tb.Fatalf("callstoretest: the call was refused: %+v", res.Failed)
	}
	call, err := s.Store.GetCall(ctx, p, c.Call.ID)
	if err != nil {
		tb.Fatalf("callstoretest: %v", err)
	}
	return call
}

// AddApp creates a Kore.ai-style client app of Company (unrestricted without perms) and returns
// it with a JWT for it that expires in an hour of the store's clock. Send the JWT in the `auth`
// header and Company.ID in `accountId`.
func (s *Server) AddApp(tb testing.TB, perms ...string) (store.App, string) {
	tb.Helper()
	a, err := s.Store.CreateApp(context.Background(), s.Company.ID,
		store.AppInput{Name: "callstoretest", Restricted: len(perms) > 0, Permissions: slices.Clone(perms)})
	if err != nil {
		tb.Fatalf("callstoretest: %v", err)
	}
	now := time.Now()
	if s.Clock != nil {
		now = s.Clock.Now()
	}
	token, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"appId": a.ClientID, "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
	}).SignedString([]byte(a.ClientSecret))
	if err != nil {
		tb.Fatalf("callstoretest: %v", err)
	}
	return a, token
}

// AccessToken issues a GenLogs-style access token for key, valid for the server's token TTL
// (POST /auth/token without HTTP). Send it in `Access-Token` with key in `X-Api-Key`.
func (s *Server) AccessToken(tb testing.TB, key string) string {
	tb.Helper()
	pair, err := s.Store.IssueTokens(context.Background(), key, s.tokenTTL)
	if err != nil {
		tb.Fatalf("callstoretest: %v", err)
	}
	return pair.Access.Token
}

// Clock is a settable time source for the store (see WithClock). It is safe for concurrent use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock that stands at t until moved.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d (backward for a negative d).
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}
