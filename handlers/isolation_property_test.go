package handlers_test

// A property test of tenant isolation. Two companies, A and B, get random data. Then company A,
// with its unrestricted API key, its Kore.ai app's JWT and its GenLogs access token, runs a random
// sequence of requests in all three dialects against B's ids. Each request is sent twice: once
// with B's ids and once with fresh unknown ids in their place. The two answers must be the same
// (status, Content-Type, and body after each id of the request is replaced by a placeholder).
// After every operation, B's rows must be exactly as they were.
//
// Creating a record with an id that is already taken cannot answer like an unknown id would:
// an unknown id is simply created. For these operations the answer for B's id is compared with
// the answer for an id that A itself already holds.
//
// A's own operations run in between (reads, updates, deletions, creations on A's own ids). They
// check that the oracle can see differences: a read of A's own id must answer differently from
// the unknown id, and A's own writes must change A's rows.
//
//	CALLSTORE_ISOLATION_SEED=<n>  replay a seed (every run logs its seed)
//	CALLSTORE_ISOLATION_OPS=<n>   the number of operations (default 300)

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/callstore/callstore/db/sqlctest"
	"github.com/callstore/callstore/store"

	"github.com/google/uuid"
)

func TestIsolationProperty(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("CALLSTORE_ISOLATION_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("CALLSTORE_ISOLATION_SEED=%q: %v", s, err)
		}
		seed = n
	}
	ops := 300
	if s := os.Getenv("CALLSTORE_ISOLATION_OPS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			t.Fatalf("CALLSTORE_ISOLATION_OPS=%q: want a positive integer", s)
		}
		ops = n
	}
	t.Logf("seed %d (replay with CALLSTORE_ISOLATION_SEED=%d), %d operations", seed, seed, ops)
	start := time.Now()

	w := newIsoWorld(t, rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)))
	w.checkSnapshotSeesB()
	w.bSnap = w.snapshot(w.b.company.ID)
	initial := w.bSnap

	for i := range ops {
		w.op = i
		w.e.Clock.Advance(time.Duration(w.rng.IntN(2000)) * time.Millisecond)
		w.refreshToken()
		w.step()
		if snap := w.snapshot(w.b.company.ID); snap != w.bSnap {
			w.fail("B's rows changed", "operation %d (%s) changed B's rows:\n%s", i, w.kind, snapDiff(w.bSnap, snap))
			w.bSnap = snap
		}
	}
	if final := w.snapshot(w.b.company.ID); final != initial {
		t.Errorf("B's rows at the end differ from B's rows at the start:\n%s", snapDiff(initial, final))
	}
	w.summary(time.Since(start))
	// The oracle must have been seen to work in this run: A's own ids answered differently from
	// unknown ones, and A's own writes changed A's rows.
	var reads, writes int
	for k, n := range w.blind {
		if strings.HasPrefix(k, "own ids") {
			reads += n
		} else {
			writes += n
		}
	}
	if ops >= 100 && (reads == 0 || writes == 0) {
		t.Errorf("the oracle was never seen to work: %d reads of A's own ids differed from unknown ids, %d of A's own writes changed A's rows", reads, writes)
	}
}

// isoReq is one request of A (or, with As set, of another tenant).
type isoReq struct {
	Method, Path string
	Auth         string // "key" (default), "koreai" or "genlogs"
	Account      string // Kore.ai accountId; "" is the caller's own company
	Body         string // "" sends no body
	CT           string // Content-Type, when not application/json
	As           *isoTenant
}

func (r isoReq) String() string {
	s := r.Method + " " + r.Path
	if r.Auth != "" && r.Auth != "key" {
		s += " [" + r.Auth + "]"
	}
	if r.Account != "" {
		s += " accountId=" + r.Account
	}
	if r.Body != "" {
		s += "\n      body: " + isoClip(r.Body)
	}
	return s
}

func isoClip(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 700 {
		return s[:700] + "…"
	}
	return s
}

type isoTenant struct {
	name    string
	company store.Company
	key     string // unrestricted API key
	app     store.App
	token   string // GenLogs access token issued for key
	tokenAt time.Time
	prefix  string // the identifiers of its contacts start with it
}

type isoContact struct {
	id, ident string
	active    bool // has a call dialing or in progress
	calls     int
}

type isoCall struct {
	id, status, contact string
	agent, phone        string
	messages, logs      int
}

type isoRow struct{ id, call string }

// isoIDs is what one company holds, as read from the database.
type isoIDs struct {
	company  string
	contacts []isoContact
	calls    []isoCall
	messages []isoRow
	logs     []isoRow
	keys     []string
	all      map[string]bool // every id of every row of the company, plus its agent and phone ids
	idents   map[string]bool
}

func (s *isoIDs) contact(id string) isoContact {
	for _, c := range s.contacts {
		if c.id == id {
			return c
		}
	}
	return isoContact{}
}

type isoWorld struct {
	t     *testing.T
	e     *testEnv
	rng   *rand.Rand
	a, b  *isoTenant
	bIDs  *isoIDs // B's ids, read once after seeding: B never changes
	bSnap string

	op      int
	kind    string
	identN  int
	n       int      // a counter for unique values
	ownKeys []string // API keys A created through the API, which A may change and delete

	ran      map[string]int
	failures map[string]int
	blind    map[string]int   // own operations whose effect the oracle saw
	tq       sqlctest.Querier // the queries only tests use, on the env's engine
}

func newIsoWorld(t *testing.T, rng *rand.Rand) *isoWorld {
	e := newEnv(t)
	w := &isoWorld{t: t, e: e, rng: rng, ran: map[string]int{}, failures: map[string]int{}, blind: map[string]int{}, tq: e.testQueries()}
	w.a = &isoTenant{name: "A", company: e.Company, key: e.Key, prefix: "+3461"}
	bc, bk := e.newCompany("beta")
	w.b = &isoTenant{name: "B", company: bc, key: bk, prefix: "+3471"}
	for _, ten := range []*isoTenant{w.a, w.b} {
		ten.app = e.newApp(ten.company.ID)
		ten.token, ten.tokenAt = e.accessToken(ten.key), e.Clock.Now()
		w.seedTenant(ten, 2+rng.IntN(7))
	}
	w.bIDs = w.load(w.b.company.ID)
	t.Logf("A: %s; B: %s", w.describe(w.load(w.a.company.ID)), w.describe(w.bIDs))
	return w
}

func (w *isoWorld) describe(s *isoIDs) string {
	return fmt.Sprintf("%d contacts, %d calls, %d messages, %d log entries, %d API keys", len(s.contacts), len(s.calls), len(s.messages), len(s.logs), len(s.keys))
}

// seedTenant gives a company a contact with an active and an ended call (both with messages and
// log entries), then n random contacts, log entries of no call and API keys.
func (w *isoWorld) seedTenant(ten *isoTenant, n int) {
	s := w.e.seed(ten.company.ID)
	ct := s.contact(w.newIdent(ten), w.randTime())
	for _, st := range []string{store.StatusInProgress, store.StatusCompleted} {
		id := s.call(callSpec{Contact: ct.ID, Status: st, At: w.randTime()})
		s.message(id, w.randTime(), "user", "hello", "")
		s.log(id, w.randTime(), "INFO", "CALL_LIFECYCLE", "call.started")
	}
	w.seedContacts(ten, n)
	for range 1 + w.rng.IntN(3) {
		s.log("", w.randTime(), isoPick(w.rng, store.LogLevels), isoPick(w.rng, store.LogCategories), "detached")
	}
	for range 1 + w.rng.IntN(3) {
		in := store.APIKeyInput{Name: "key " + strconv.Itoa(w.next())}
		if w.rng.IntN(2) == 0 {
			in.Restricted, in.Permissions = true, isoSample(w.rng, store.Permissions, 1+w.rng.IntN(4))
		}
		if w.rng.IntN(3) == 0 {
			exp := w.e.Clock.Now().Add(time.Duration(1+w.rng.IntN(48)) * time.Hour)
			in.ExpiryDate = &exp
		}
		if _, err := w.e.Store.CreateAPIKey(w.t.Context(), ten.company.ID, nil, in); err != nil {
			w.t.Fatal(err)
		}
	}
}

// seedContacts adds n contacts with random calls (any status, some with an agent and a phone),
// messages and log entries.
func (w *isoWorld) seedContacts(ten *isoTenant, n int) {
	s := w.e.seed(ten.company.ID)
	for range n {
		ct := s.contact(w.newIdent(ten), w.randTime())
		var agent, phone *string
		if w.rng.IntN(2) == 0 {
			a := uuid.NewString()
			agent = &a
		}
		if w.rng.IntN(3) == 0 {
			p := uuid.NewString()
			phone = &p
		}
		for range w.rng.IntN(5) {
			id := s.call(callSpec{Contact: ct.ID, Agent: agent, Phone: phone, Status: isoPick(w.rng, store.CallStatuses), Type: isoPick(w.rng, store.CallTypes), At: w.randTime()})
			for range w.rng.IntN(5) {
				tool := ""
				role := isoPick(w.rng, store.MessageRoles)
				if role == "tool" {
					tool = `{"function_name":"book","payload":{"day":"mon"},"status":"success","type":"function"}`
				}
				s.message(id, w.randTime(), role, "text "+strconv.Itoa(w.next()), tool)
			}
			for range w.rng.IntN(4) {
				s.log(id, w.randTime(), isoPick(w.rng, store.LogLevels), isoPick(w.rng, store.LogCategories), "event."+strconv.Itoa(w.next()))
			}
		}
	}
}

func (w *isoWorld) randTime() time.Time {
	return w.e.Clock.Now().Add(-time.Duration(w.rng.Int64N(int64(30 * 24 * time.Hour)))).Truncate(time.Microsecond)
}

func (w *isoWorld) next() int { w.n++; return w.n }

// newIdent is a new identifier in the tenant's own range.
func (w *isoWorld) newIdent(ten *isoTenant) string {
	w.identN++
	return fmt.Sprintf("%s%08d", ten.prefix, w.identN)
}

// freshIdent is a random identifier that no company has.
func (w *isoWorld) freshIdent() string {
	for {
		id := fmt.Sprintf("+3481%08d", w.rng.IntN(100_000_000))
		n, err := w.tq.CountContactsWithIdentifier(w.t.Context(), id)
		if err != nil {
			w.t.Fatal(err)
		}
		if n == 0 {
			return id
		}
	}
}

// refreshToken keeps A's GenLogs access token valid as the clock moves.
func (w *isoWorld) refreshToken() {
	if w.e.Clock.Now().Sub(w.a.tokenAt) > 30*time.Minute {
		w.a.token, w.a.tokenAt = w.e.accessToken(w.a.key), w.e.Clock.Now()
	}
}

// load reads what a company holds.
func (w *isoWorld) load(companyID string) *isoIDs {
	ctx := w.t.Context()
	s := &isoIDs{company: companyID, all: map[string]bool{companyID: true}, idents: map[string]bool{}}
	contacts, err := w.tq.IsoContactsOfCompany(ctx, companyID)
	w.must(err)
	for _, r := range contacts {
		c := isoContact{id: r.ID, ident: r.Identifier, active: r.Active != 0, calls: int(r.Calls)}
		s.contacts = append(s.contacts, c)
		s.all[c.id], s.idents[c.ident] = true, true
	}
	calls, err := w.tq.IsoCallsOfCompany(ctx, companyID)
	w.must(err)
	for _, r := range calls {
		c := isoCall{id: r.ID, status: r.Status, contact: r.ContactID, agent: r.AgentID, phone: r.PhoneRegisterID, messages: int(r.Messages), logs: int(r.Logs)}
		s.calls = append(s.calls, c)
		s.all[c.id] = true
		if c.agent != "" {
			s.all[c.agent] = true
		}
		if c.phone != "" {
			s.all[c.phone] = true
		}
	}
	messages, err := w.tq.IsoMessagesOfCompany(ctx, companyID)
	w.must(err)
	for _, r := range messages {
		s.messages = append(s.messages, isoRow{id: r.ID, call: r.CallID})
		s.all[r.ID] = true
	}
	logs, err := w.tq.IsoLogsOfCompany(ctx, companyID)
	w.must(err)
	for _, r := range logs {
		s.logs = append(s.logs, isoRow{id: r.ID, call: r.CallID})
		s.all[r.ID] = true
	}
	keys, err := w.tq.IsoAPIKeysOfCompany(ctx, companyID)
	w.must(err)
	for _, id := range keys {
		s.keys = append(s.keys, id)
		s.all[id] = true
	}
	apps, err := w.tq.IsoAppsOfCompany(ctx, companyID)
	w.must(err)
	for _, id := range apps {
		s.all[id] = true
	}
	return s
}

func (w *isoWorld) must(err error) {
	w.t.Helper()
	if err != nil {
		w.t.Fatal(err)
	}
}

// snapshot is every row of a company, and every row that points at one of its rows, each column
// of each as stored: two snapshots differ when any of those rows changed.
func (w *isoWorld) snapshot(companyID string) string {
	ctx := w.t.Context()
	var b strings.Builder
	for _, tq := range []struct {
		table string
		rows  func() (any, error)
	}{
		{"companies", func() (any, error) { return w.tq.SnapshotCompany(ctx, companyID) }},
		{"company_call_counts", func() (any, error) { return w.tq.SnapshotCompanyCallCounts(ctx, companyID) }},
		{"api_keys", func() (any, error) { return w.tq.SnapshotAPIKeys(ctx, companyID) }},
		{"access_tokens", func() (any, error) { return w.tq.SnapshotAccessTokens(ctx, companyID) }},
		{"apps", func() (any, error) { return w.tq.SnapshotApps(ctx, companyID) }},
		{"contacts", func() (any, error) { return w.tq.SnapshotContacts(ctx, companyID) }},
		{"calls", func() (any, error) { return w.tq.SnapshotCalls(ctx, companyID) }},
		{"messages", func() (any, error) { return w.tq.SnapshotMessages(ctx, companyID) }},
		{"call_log", func() (any, error) { return w.tq.SnapshotCallLogs(ctx, companyID) }},
	} {
		rows, err := tq.rows()
		if err != nil {
			w.t.Fatal(err)
		}
		rv := reflect.ValueOf(rows) // a slice of the generated row struct: one field a column
		for i := range rv.Len() {
			row := rv.Index(i)
			b.WriteString(tq.table)
			for j := range row.NumField() {
				name, v := row.Type().Field(j).Name, row.Field(j)
				if v.Kind() == reflect.Pointer {
					if v.IsNil() {
						fmt.Fprintf(&b, " %s=NULL", name)
						continue
					}
					v = v.Elem()
				}
				if v.Kind() == reflect.String {
					fmt.Fprintf(&b, " %s=%q", name, v.String())
				} else {
					fmt.Fprintf(&b, " %s=%v", name, v.Interface())
				}
			}
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// snapDiff lists the rows only in before (-) and only in after (+).
func snapDiff(before, after string) string {
	count := func(s string) map[string]int {
		m := map[string]int{}
		for l := range strings.SplitSeq(s, "\n") {
			m[l]++
		}
		return m
	}
	inB, inA := count(before), count(after)
	var out []string
	for l := range strings.SplitSeq(before, "\n") {
		if inA[l] == 0 {
			out = append(out, "  - "+l)
		}
	}
	for l := range strings.SplitSeq(after, "\n") {
		if inB[l] == 0 {
			out = append(out, "  + "+l)
		}
	}
	if len(out) > 40 {
		out = append(out[:40], fmt.Sprintf("  … %d more lines", len(out)-40))
	}
	return strings.Join(out, "\n")
}

// checkSnapshotSeesB makes sure the snapshot of B sees a change B makes to its own rows, and that
// A's snapshot does not.
func (w *isoWorld) checkSnapshotSeesB() {
	beforeA, beforeB := w.snapshot(w.a.company.ID), w.snapshot(w.b.company.ID)
	var call string
	for _, c := range w.bIDs.calls {
		if store.IsTerminal(c.status) {
			call = c.id
		}
	}
	r := w.send(isoReq{Method: "PATCH", Path: "/v1/call/" + call, Body: `{"recording_url":"https://rec.example/b-own.wav"}`, As: w.b})
	if r.Status != http.StatusOK {
		w.t.Fatalf("B's own PATCH of its call: %d %s", r.Status, r.Body)
	}
	if w.snapshot(w.b.company.ID) == beforeB {
		w.t.Fatal("the snapshot of B does not see B's own update of its call")
	}
	if w.snapshot(w.a.company.ID) != beforeA {
		w.t.Fatal("B's own update changed A's snapshot")
	}
}

// send sends one request with the caller's credentials for its dialect.
func (w *isoWorld) send(r isoReq) *response {
	w.t.Helper()
	ten := r.As
	if ten == nil {
		ten = w.a
	}
	var h http.Header
	switch r.Auth {
	case "koreai":
		acct := r.Account
		if acct == "" {
			acct = ten.company.ID
		}
		h = koreaiHeaders(w.e.appJWT(ten.app), acct)
	case "genlogs":
		h = genlogsHeaders(ten.token, ten.key)
	default:
		h = http.Header{"Authorization": {"Bearer " + ten.key}}
	}
	if r.CT != "" {
		h.Set("Content-Type", r.CT)
	}
	var body any
	if r.Body != "" {
		body = r.Body
	}
	return w.e.doHeaders(r.Method, r.Path, h, body)
}

// fail reports one failure of an operation kind; after a few of a kind, the rest are only counted.
func (w *isoWorld) fail(kind, format string, args ...any) {
	w.t.Helper()
	w.failures[kind]++
	if w.failures[kind] <= 3 {
		w.t.Errorf("op %d [%s]: %s", w.op, kind, fmt.Sprintf(format, args...))
	}
}

func (w *isoWorld) summary(d time.Duration) {
	kinds := make([]string, 0, len(w.ran))
	for k := range w.ran {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	var b strings.Builder
	total := 0
	for _, k := range kinds {
		fmt.Fprintf(&b, "\n  %5d  %-70s", w.ran[k], k)
		if n := w.failures[k]; n > 0 {
			fmt.Fprintf(&b, " FAILED %d", n)
		}
		if n := w.blind[k]; n > 0 {
			fmt.Fprintf(&b, " (own effect seen %d)", n)
		}
		total += w.ran[k]
	}
	w.t.Logf("%d operations in %v:%s", total, d.Round(time.Millisecond), b.String())
	for k, n := range w.failures {
		if n > 3 {
			w.t.Errorf("[%s] failed %d times in all (only the first 3 are shown)", k, n)
		}
	}
}

// ---- comparing two answers ----

var isoUUID = regexp.MustCompile(`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`)

func isoIsUUID(s string) bool {
	_, err := uuid.Parse(s)
	return err == nil && len(s) == 36
}

func isoCanon(s string) string {
	if u, err := uuid.Parse(s); err == nil {
		return u.String()
	}
	return s
}

// normalize replaces each value of the request by <ARGi>, and every other id that neither A (as
// it was before the request) nor B holds, such as the id of a record the request created, by
// <NEWi> in the order of appearance. A's and B's ids stay as they are.
func (w *isoWorld) normalize(body []byte, args []string, aNow *isoIDs) string {
	s := string(body)
	for i, a := range args {
		ph := fmt.Sprintf("<ARG%d>", i)
		for _, f := range []string{a, isoCanon(a), strings.ToLower(a), strings.ToUpper(a)} {
			s = strings.ReplaceAll(s, f, ph)
		}
	}
	fresh := map[string]string{}
	return isoUUID.ReplaceAllStringFunc(s, func(m string) string {
		c := strings.ToLower(m)
		if aNow.all[c] || w.bIDs.all[c] {
			return m
		}
		if _, ok := fresh[c]; !ok {
			fresh[c] = fmt.Sprintf("<NEW%d>", len(fresh))
		}
		return fresh[c]
	})
}

// leaks lists B's ids in an answer to A that are neither values of its request nor ids A holds.
func (w *isoWorld) leaks(body []byte, args []string, aNow *isoIDs) []string {
	sent := map[string]bool{}
	for _, a := range args {
		sent[isoCanon(a)] = true
	}
	var out []string
	for _, m := range isoUUID.FindAllString(string(body), -1) {
		c := strings.ToLower(m)
		if w.bIDs.all[c] && !aNow.all[c] && !sent[c] {
			sent[c] = true // once each
			out = append(out, c)
		}
	}
	return out
}

// isoCase is one request with slots for the subject's values.
type isoCase struct {
	name    string
	vals    []string      // the subject's values: B's ids (or, for a check of the oracle, A's)
	others  []string      // the values to compare with, when not fresh ones: ids A already holds
	fresh   func() string // a fresh value; nil: uuid.NewString()
	differs bool          // with A's own values, the answer must differ from the unknown values'
	forms   bool          // the ids may be sent upper-case or without hyphens
	build   func(v []string) isoReq
}

// form picks how the ids of a request are written: canonical mostly, else upper-case or without
// hyphens (forms every UUID parameter of the API accepts).
func (w *isoWorld) form() func(string) string {
	switch r := w.rng.IntN(10); {
	case r < 7:
		return func(s string) string { return s }
	case r < 9:
		return func(s string) string {
			if isoIsUUID(s) {
				return strings.ToUpper(s)
			}
			return s
		}
	default:
		return func(s string) string {
			if isoIsUUID(s) {
				return strings.ReplaceAll(s, "-", "")
			}
			return s
		}
	}
}

// run sends the case with the subject's values and with the other values, in random order, and
// compares the answers. own says the subject's values are A's own: the answers must then differ.
func (w *isoWorld) run(c *isoCase, own bool, aNow *isoIDs) {
	w.t.Helper()
	kind := c.name
	if own {
		kind = "own ids (oracle check): " + c.name
	} else if c.others != nil {
		kind = "taken id: " + c.name
	}
	w.kind = kind
	w.ran[kind]++
	f := func(s string) string { return s }
	if c.forms {
		f = w.form()
	}
	subj := make([]string, len(c.vals))
	other := make([]string, len(c.vals))
	for i, v := range c.vals {
		subj[i] = f(v)
		switch {
		case c.others != nil:
			other[i] = f(c.others[i])
		case c.fresh != nil:
			other[i] = c.fresh()
		default:
			other[i] = f(uuid.NewString())
		}
	}
	rs, ro := c.build(subj), c.build(other)
	var xs, xo *response
	if w.rng.IntN(2) == 0 {
		xs, xo = w.send(rs), w.send(ro)
	} else {
		xo, xs = w.send(ro), w.send(rs)
	}
	ns, no := w.normalize(xs.Body, subj, aNow), w.normalize(xo.Body, other, aNow)
	same := xs.Status == xo.Status && xs.Header.Get("Content-Type") == xo.Header.Get("Content-Type") && ns == no
	otherName := "unknown ids"
	if c.others != nil {
		otherName = "A's own taken ids"
	}
	for _, x := range []struct {
		r    *response
		args []string
		name string
	}{{xs, subj, "B's ids"}, {xo, other, otherName}} {
		if l := w.leaks(x.r.Body, x.args, aNow); len(l) > 0 && !own {
			w.fail(kind, "the answer to the request with %s names B's ids %v it was not given:\n    %s\n      -> %d %s", x.name, l, rs, x.r.Status, isoClip(string(x.r.Body)))
		}
	}
	switch {
	case own && c.differs && same:
		w.fail(kind, "the oracle is blind: A's own ids and unknown ids got the same answer\n    own:     %s\n      -> %d %s\n    unknown: %s\n      -> %d %s",
			rs, xs.Status, isoClip(string(xs.Body)), ro, xo.Status, isoClip(string(xo.Body)))
	case own && c.differs:
		w.blind[kind]++
	case !own && !same:
		w.fail(kind, "B's ids and %s got different answers\n    with B's ids: %s\n      -> %d %s\n    with %s: %s\n      -> %d %s\n    normalized:\n      B's:   %s\n      other: %s",
			otherName, rs, xs.Status, isoClip(string(xs.Body)), otherName, ro, xo.Status, isoClip(string(xo.Body)), isoClip(ns), isoClip(no))
	}
}

// ---- random helpers ----

func isoPick[T any](r *rand.Rand, s []T) T { return s[r.IntN(len(s))] }

// isoSample returns up to k distinct elements of s in random order.
func isoSample[T any](r *rand.Rand, s []T, k int) []T {
	p := r.Perm(len(s))
	k = min(k, len(s))
	out := make([]T, k)
	for i := range k {
		out[i] = s[p[i]]
	}
	return out
}

func isoFilter[T any](s []T, keep func(T) bool) []T {
	var out []T
	for _, x := range s {
		if keep(x) {
			out = append(out, x)
		}
	}
	return out
}

func isoJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// withQuery joins path and the non-empty parameters.
func withQuery(path string, params ...string) string {
	var ps []string
	for _, p := range params {
		if p != "" {
			ps = append(ps, p)
		}
	}
	if len(ps) == 0 {
		return path
	}
	return path + "?" + strings.Join(ps, "&")
}

// listParams are random pagination parameters (page mode only when cursor is false).
func (w *isoWorld) listParams(cursor bool) string {
	var p []string
	if w.rng.IntN(2) == 0 {
		p = append(p, "limit="+strconv.Itoa(1+w.rng.IntN(5)))
	}
	if w.rng.IntN(2) == 0 {
		p = append(p, "order="+isoPick(w.rng, []string{"asc", "desc"}))
	}
	if !cursor && w.rng.IntN(4) == 0 {
		p = append(p, "page="+strconv.Itoa(1+w.rng.IntN(3)))
	}
	return strings.Join(p, "&")
}

// idList is a list of ids in random order: the subject's values (slots) among literal ids.
type idList struct {
	slots []int    // index of a subject value, or -1 for a literal
	lits  []string // the literal of each -1 slot
}

func (w *isoWorld) mixIDs(nSubject int, literals ...[]string) idList {
	var l idList
	for i := range nSubject {
		l.slots, l.lits = append(l.slots, i), append(l.lits, "")
	}
	for _, ls := range literals {
		for _, s := range ls {
			l.slots, l.lits = append(l.slots, -1), append(l.lits, s)
		}
	}
	w.rng.Shuffle(len(l.slots), func(i, j int) {
		l.slots[i], l.slots[j] = l.slots[j], l.slots[i]
		l.lits[i], l.lits[j] = l.lits[j], l.lits[i]
	})
	return l
}

func (l idList) with(v []string) []string {
	out := make([]string, len(l.slots))
	for i, s := range l.slots {
		if s >= 0 {
			out[i] = v[s]
		} else {
			out[i] = l.lits[i]
		}
	}
	return out
}

func unknownIDs(r *rand.Rand, max int) []string {
	out := make([]string, r.IntN(max+1))
	for i := range out {
		out[i] = uuid.NewString()
	}
	return out
}

func contactIDs(cs []isoContact) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.id
	}
	return out
}

func callIDs(cs []isoCall) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.id
	}
	return out
}

func rowIDs(rs []isoRow) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.id
	}
	return out
}

// distinctIDs are the ids of rows, each once: message ids are unique only within a call, so a
// company may hold the same message id in several calls.
func distinctIDs(rs []isoRow) []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range rs {
		if !seen[r.id] {
			seen[r.id] = true
			out = append(out, r.id)
		}
	}
	return out
}

func activeCalls(s *isoIDs) []isoCall {
	return isoFilter(s.calls, func(c isoCall) bool { return !store.IsTerminal(c.status) })
}

func activeContacts(s *isoIDs) []isoContact {
	return isoFilter(s.contacts, func(c isoContact) bool { return c.active })
}

func (w *isoWorld) patchBody() string {
	return isoPick(w.rng, []string{
		`{"status":"in_progress"}`,
		`{"status":"completed","end_reason":"hangup"}`,
		`{"status":"failed"}`,
		`{"status":"dialing"}`,
		`{"recording_url":"https://rec.example/x.wav"}`,
		`{"recording_url":null,"dynamic_variables":null}`,
		`{"dynamic_variables":{"k":1}}`,
		`{"start_time":"2025-01-01T00:00:00Z","end_time":"2025-01-01T00:01:00Z"}`,
		`{"start_time":"2025-01-02T00:00:00Z","end_time":"2025-01-01T00:00:00Z"}`,
		`{"end_reason":"user_hangup"}`,
		`{}`,
		`{"status":"ringing"}`,
		`{"status":null}`,
		`{"status":`,
	})
}

func (w *isoWorld) messageBody() string {
	return isoPick(w.rng, []string{
		`{"role":"user","content":"hi"}`,
		`{"role":"assistant","content":"hola","created_date":"2025-05-06T07:08:09Z"}`,
		`[{"role":"user","content":"a"},{"role":"assistant","content":"b"}]`,
		`{"role":"tool","tool_call":{"tool_name":"hangup","payload":{},"status":"success"}}`,
		`{"role":"bot"}`,
		`[]`,
		`[{`,
	})
}

func (w *isoWorld) logBody() string {
	return isoPick(w.rng, []string{
		`{"level":"INFO","category":"USER","event":"e"}`,
		`[{"level":"DEBUG","category":"AGENT","event":"a"},{"level":"ERROR","category":"SECURITY","event":"b","timestamp":"2025-01-01T00:00:00Z","data":{"k":"v"}}]`,
		`{"level":"INFO","category":"USER","event":""}`,
		`{"level":"LOUD","category":"USER","event":"e"}`,
		`[]`,
	})
}

// ---- the operations ----

// step runs one random operation.
func (w *isoWorld) step() {
	aNow := w.load(w.a.company.ID)
	for w.replenish(aNow) {
		aNow = w.load(w.a.company.ID)
	}
	reads := []func(s, a *isoIDs, own bool) *isoCase{
		w.cGetCall, w.cCallMessages, w.cCallLogs, w.cCallsByContact, w.cCallsByAgent, w.cLogsByCall,
		w.cGetContact, w.cContactByIdentifier, w.cGetKey, w.cCallCursor, w.cMessageCursor, w.cLogCursor,
		w.cCallLogCursor, w.cContactCursor, w.cKeyCursor, w.cContactDryRun,
	}
	writes := []func(a *isoIDs) *isoCase{
		w.cPatchCall, w.cAppendMessage, w.cAppendLog, w.cCallBulkDelete, w.cContactBulkDelete,
		w.cPatchKey, w.cDeleteKey, w.cKoreaiBulk, w.cKoreaiSingle, w.cGenlogsBulk, w.cGenlogsSingle,
		w.cKoreaiAccount, w.cCallToIdentifier,
	}
	taken := []func(a *isoIDs) *isoCase{
		w.tCreateCallWithID, w.tImportCallID, w.tImportMessageIDs, w.tImportLogIDs, w.tImportMixed,
		w.tAppendMessageWithID, w.tAppendLogWithID,
	}
	own := []func(a *isoIDs) bool{
		w.oPatchCall, w.oAppendMessage, w.oAppendLog, w.oCallBulkDelete, w.oContactDelete,
		w.oCreateCall, w.oImport, w.oAPIKey,
	}
	for range 20 {
		switch r := w.rng.IntN(100); {
		case r < 40:
			if c := isoPick(w.rng, reads)(w.bIDs, aNow, false); c != nil {
				w.run(c, false, aNow)
				return
			}
		case r < 65:
			if c := isoPick(w.rng, writes)(aNow); c != nil {
				w.run(c, false, aNow)
				return
			}
		case r < 77:
			if c := isoPick(w.rng, taken)(aNow); c != nil {
				w.run(c, false, aNow)
				return
			}
		case r < 87:
			if c := isoPick(w.rng, reads)(aNow, aNow, true); c != nil && c.differs {
				w.run(c, true, aNow)
				return
			}
		default:
			if isoPick(w.rng, own)(aNow) {
				return
			}
		}
	}
}

// replenish seeds more of A's data when A's own deletions have used it up, and removes some of it
// (straight in the database) when A's own creations have made it large, which would slow every
// step down.
func (w *isoWorld) replenish(a *isoIDs) bool {
	if len(a.calls) > 120 || len(a.logs) > 240 {
		ctx := w.t.Context()
		for _, c := range a.contacts[:len(a.contacts)/2] {
			if _, err := w.tq.DeleteContactRow(ctx, sqlctest.DeleteContactRowParams{CompanyID: w.a.company.ID, ID: c.id}); err != nil {
				w.t.Fatal(err)
			}
		}
		if _, err := w.tq.DeleteDetachedLogRows(ctx, w.a.company.ID); err != nil {
			w.t.Fatal(err)
		}
		return true
	}
	terminal := len(a.calls) - len(activeCalls(a))
	withMessages := isoFilter(a.calls, func(c isoCall) bool { return c.messages > 0 })
	withLogs := isoFilter(a.calls, func(c isoCall) bool { return c.logs > 0 })
	if len(a.contacts) >= 3 && terminal >= 2 && len(activeCalls(a)) >= 1 && len(withMessages) >= 1 && len(withLogs) >= 1 {
		return false
	}
	w.seedTenant(w.a, 2+w.rng.IntN(3))
	return true
}

// -- reads: run on B's ids, and on A's own ids to check that the oracle sees a difference --

func (w *isoWorld) cGetCall(s, a *isoIDs, own bool) *isoCase {
	if len(s.calls) == 0 {
		return nil
	}
	return &isoCase{name: "GET /v1/call/{id}", vals: []string{isoPick(w.rng, s.calls).id}, differs: true, forms: true,
		build: func(v []string) isoReq { return isoReq{Method: "GET", Path: "/v1/call/" + v[0]} }}
}

func (w *isoWorld) cCallMessages(s, a *isoIDs, own bool) *isoCase {
	if len(s.calls) == 0 {
		return nil
	}
	p := w.listParams(false)
	return &isoCase{name: "GET /v1/call/{id}/message", vals: []string{isoPick(w.rng, s.calls).id}, differs: true, forms: true,
		build: func(v []string) isoReq { return isoReq{Method: "GET", Path: withQuery("/v1/call/"+v[0]+"/message", p)} }}
}

func (w *isoWorld) cCallLogs(s, a *isoIDs, own bool) *isoCase {
	if len(s.calls) == 0 {
		return nil
	}
	p := w.listParams(false)
	f := isoPick(w.rng, []string{"", "", "level=INFO", "category=CALL_LIFECYCLE"})
	return &isoCase{name: "GET /v1/log/call/{call_id}", vals: []string{isoPick(w.rng, s.calls).id}, differs: true, forms: true,
		build: func(v []string) isoReq { return isoReq{Method: "GET", Path: withQuery("/v1/log/call/"+v[0], p, f)} }}
}

func (w *isoWorld) cCallsByContact(s, a *isoIDs, own bool) *isoCase {
	if len(s.contacts) == 0 {
		return nil
	}
	ct := isoPick(w.rng, s.contacts)
	p := w.listParams(false)
	f := isoPick(w.rng, []string{"", "", "", "status=completed", "type=inbound"})
	return &isoCase{name: "GET /v1/call/?contact_id=", vals: []string{ct.id}, differs: ct.calls > 0 && f == "", forms: true,
		build: func(v []string) isoReq {
			return isoReq{Method: "GET", Path: withQuery("/v1/call/", "contact_id="+v[0], p, f)}
		}}
}

func (w *isoWorld) cCallsByAgent(s, a *isoIDs, own bool) *isoCase {
	param := isoPick(w.rng, []string{"agent_id", "phone_id"})
	var vals []string
	for _, c := range s.calls {
		if param == "agent_id" && c.agent != "" {
			vals = append(vals, c.agent)
		} else if param == "phone_id" && c.phone != "" {
			vals = append(vals, c.phone)
		}
	}
	if len(vals) == 0 {
		return nil
	}
	p := w.listParams(false)
	return &isoCase{name: "GET /v1/call/?" + param + "=", vals: []string{isoPick(w.rng, vals)}, differs: true, forms: true,
		build: func(v []string) isoReq { return isoReq{Method: "GET", Path: withQuery("/v1/call/", param+"="+v[0], p)} }}
}

func (w *isoWorld) cLogsByCall(s, a *isoIDs, own bool) *isoCase {
	if len(s.calls) == 0 {
		return nil
	}
	c := isoPick(w.rng, s.calls)
	p := w.listParams(false)
	return &isoCase{name: "GET /v1/log/?call_id=", vals: []string{c.id}, differs: c.logs > 0, forms: true,
		build: func(v []string) isoReq { return isoReq{Method: "GET", Path: withQuery("/v1/log/", "call_id="+v[0], p)} }}
}

func (w *isoWorld) cGetContact(s, a *isoIDs, own bool) *isoCase {
	if len(s.contacts) == 0 {
		return nil
	}
	return &isoCase{name: "GET /v1/contact/{id}", vals: []string{isoPick(w.rng, s.contacts).id}, differs: true, forms: true,
		build: func(v []string) isoReq { return isoReq{Method: "GET", Path: "/v1/contact/" + v[0]} }}
}

func (w *isoWorld) cContactByIdentifier(s, a *isoIDs, own bool) *isoCase {
	// An identifier A itself also has (A may create contacts with any identifier) is A's to find.
	cs := isoFilter(s.contacts, func(c isoContact) bool { return own || !a.idents[c.ident] })
	if len(cs) == 0 {
		return nil
	}
	p := w.listParams(false)
	f := isoPick(w.rng, []string{"", "contact_type=call"})
	return &isoCase{name: "GET /v1/contact/?identifier=", vals: []string{isoPick(w.rng, cs).ident}, fresh: w.freshIdent, differs: true,
		build: func(v []string) isoReq {
			return isoReq{Method: "GET", Path: withQuery("/v1/contact/", "identifier="+url.QueryEscape(v[0]), f, p)}
		}}
}

func (w *isoWorld) cGetKey(s, a *isoIDs, own bool) *isoCase {
	if len(s.keys) == 0 {
		return nil
	}
	return &isoCase{name: "GET /v1/api_key/{id}", vals: []string{isoPick(w.rng, s.keys)}, differs: true, forms: true,
		build: func(v []string) isoReq { return isoReq{Method: "GET", Path: "/v1/api_key/" + v[0]} }}
}

func (w *isoWorld) cursorParam() string { return isoPick(w.rng, []string{"after", "before"}) }

func (w *isoWorld) cCallCursor(s, a *isoIDs, own bool) *isoCase {
	if len(s.calls) == 0 {
		return nil
	}
	dir, p := w.cursorParam(), w.listParams(true)
	f := isoPick(w.rng, []string{"", "", "status=completed", "type=outbound"})
	return &isoCase{name: "GET /v1/call/?after|before=", vals: []string{isoPick(w.rng, s.calls).id}, differs: true, forms: true,
		build: func(v []string) isoReq {
			return isoReq{Method: "GET", Path: withQuery("/v1/call/", dir+"="+v[0], p, f)}
		}}
}

// cMessageCursor pages through the transcript of one of A's calls from a message id.
func (w *isoWorld) cMessageCursor(s, a *isoIDs, own bool) *isoCase {
	calls := isoFilter(a.calls, func(c isoCall) bool { return c.messages > 0 })
	if len(calls) == 0 {
		return nil
	}
	call := isoPick(w.rng, calls).id
	ms := isoFilter(s.messages, func(m isoRow) bool {
		if own {
			return m.call == call
		}
		return !a.all[m.id] // message ids are not unique: A may hold one equal to B's
	})
	if len(ms) == 0 {
		return nil
	}
	dir, p := w.cursorParam(), w.listParams(true)
	return &isoCase{name: "GET /v1/call/{A's call}/message?after|before=", vals: []string{isoPick(w.rng, ms).id}, differs: true, forms: true,
		build: func(v []string) isoReq {
			return isoReq{Method: "GET", Path: withQuery("/v1/call/"+call+"/message", dir+"="+v[0], p)}
		}}
}

func (w *isoWorld) cLogCursor(s, a *isoIDs, own bool) *isoCase {
	if len(s.logs) == 0 {
		return nil
	}
	dir, p := w.cursorParam(), w.listParams(true)
	return &isoCase{name: "GET /v1/log/?after|before=", vals: []string{isoPick(w.rng, s.logs).id}, differs: true, forms: true,
		build: func(v []string) isoReq { return isoReq{Method: "GET", Path: withQuery("/v1/log/", dir+"="+v[0], p)} }}
}

func (w *isoWorld) cCallLogCursor(s, a *isoIDs, own bool) *isoCase {
	calls := isoFilter(a.calls, func(c isoCall) bool { return c.logs > 0 })
	if len(calls) == 0 {
		return nil
	}
	call := isoPick(w.rng, calls).id
	ls := isoFilter(s.logs, func(l isoRow) bool { return !own || l.call == call })
	if len(ls) == 0 {
		return nil
	}
	dir, p := w.cursorParam(), w.listParams(true)
	return &isoCase{name: "GET /v1/log/call/{A's call}?after|before=", vals: []string{isoPick(w.rng, ls).id}, differs: true, forms: true,
		build: func(v []string) isoReq {
			return isoReq{Method: "GET", Path: withQuery("/v1/log/call/"+call, dir+"="+v[0], p)}
		}}
}

func (w *isoWorld) cContactCursor(s, a *isoIDs, own bool) *isoCase {
	if len(s.contacts) == 0 {
		return nil
	}
	dir, p := w.cursorParam(), w.listParams(true)
	return &isoCase{name: "GET /v1/contact/?after|before=", vals: []string{isoPick(w.rng, s.contacts).id}, differs: true, forms: true,
		build: func(v []string) isoReq {
			return isoReq{Method: "GET", Path: withQuery("/v1/contact/", dir+"="+v[0], p)}
		}}
}

func (w *isoWorld) cKeyCursor(s, a *isoIDs, own bool) *isoCase {
	if len(s.keys) == 0 {
		return nil
	}
	dir, p := w.cursorParam(), w.listParams(true)
	return &isoCase{name: "GET /v1/api_key/?after|before=", vals: []string{isoPick(w.rng, s.keys)}, differs: true, forms: true,
		build: func(v []string) isoReq {
			return isoReq{Method: "GET", Path: withQuery("/v1/api_key/", dir+"="+v[0], p)}
		}}
}

// cContactDryRun is a dry run of the native contact bulk delete: it changes nothing, so it may mix
// in any of A's own contacts.
func (w *isoWorld) cContactDryRun(s, a *isoIDs, own bool) *isoCase {
	if len(s.contacts) == 0 {
		return nil
	}
	subj := isoSample(w.rng, contactIDs(s.contacts), 1+w.rng.IntN(3))
	var mine []string
	if !own {
		mine = isoSample(w.rng, contactIDs(a.contacts), w.rng.IntN(3))
	}
	l := w.mixIDs(len(subj), unknownIDs(w.rng, 2), mine)
	aon := isoPick(w.rng, []string{"", `,"all_or_none":false`, `,"all_or_none":true`})
	return &isoCase{name: "POST /v1/contact/bulk-delete dry_run=true", vals: subj, differs: true, forms: true,
		build: func(v []string) isoReq {
			return isoReq{Method: "POST", Path: "/v1/contact/bulk-delete", Body: `{"contact_ids":` + isoJSON(l.with(v)) + `,"dry_run":true` + aon + `}`}
		}}
}

// -- writes on B's ids (run on B's ids only: on A's own ids they would change A) --

func (w *isoWorld) cPatchCall(a *isoIDs) *isoCase {
	body := w.patchBody()
	return &isoCase{name: "PATCH /v1/call/{id}", vals: []string{isoPick(w.rng, w.bIDs.calls).id}, forms: true,
		build: func(v []string) isoReq { return isoReq{Method: "PATCH", Path: "/v1/call/" + v[0], Body: body} }}
}

func (w *isoWorld) cAppendMessage(a *isoIDs) *isoCase {
	body := w.messageBody()
	return &isoCase{name: "POST /v1/call/{id}/message", vals: []string{isoPick(w.rng, w.bIDs.calls).id}, forms: true,
		build: func(v []string) isoReq {
			return isoReq{Method: "POST", Path: "/v1/call/" + v[0] + "/message", Body: body}
		}}
}

func (w *isoWorld) cAppendLog(a *isoIDs) *isoCase {
	body := w.logBody()
	return &isoCase{name: "POST /v1/log/call/{call_id}", vals: []string{isoPick(w.rng, w.bIDs.calls).id}, forms: true,
		build: func(v []string) isoReq { return isoReq{Method: "POST", Path: "/v1/log/call/" + v[0], Body: body} }}
}

// cCallBulkDelete names B's calls (active and ended), maybe among unknown ids and A's own active
// calls (which are not deletable, so the request changes nothing).
func (w *isoWorld) cCallBulkDelete(a *isoIDs) *isoCase {
	subj := isoSample(w.rng, callIDs(w.bIDs.calls), 1+w.rng.IntN(4))
	l := w.mixIDs(len(subj), unknownIDs(w.rng, 3), isoSample(w.rng, callIDs(activeCalls(a)), w.rng.IntN(3)))
	return &isoCase{name: "POST /v1/call/bulk-delete", vals: subj, forms: true,
		build: func(v []string) isoReq {
			return isoReq{Method: "POST", Path: "/v1/call/bulk-delete", Body: `{"call_ids":` + isoJSON(l.with(v)) + `}`}
		}}
}

// cContactBulkDelete names B's contacts with every combination of dry_run and all_or_none, among
// unknown ids and those of A's own contacts that the request cannot delete: any of them when
// nothing is deleted (dry run, or all_or_none with B's ids failing), else those with active calls.
func (w *isoWorld) cContactBulkDelete(a *isoIDs) *isoCase {
	subj := isoSample(w.rng, contactIDs(w.bIDs.contacts), 1+w.rng.IntN(3))
	dry := isoPick(w.rng, []string{"", "false", "true"})
	aon := isoPick(w.rng, []string{"", "false", "true"})
	pool := activeContacts(a)
	if dry == "true" || aon == "true" {
		pool = a.contacts
	}
	l := w.mixIDs(len(subj), unknownIDs(w.rng, 2), isoSample(w.rng, contactIDs(pool), w.rng.IntN(3)))
	flags := ""
	if dry != "" {
		flags += `,"dry_run":` + dry
	}
	if aon != "" {
		flags += `,"all_or_none":` + aon
	}
	return &isoCase{name: "POST /v1/contact/bulk-delete dry_run=" + dry + " all_or_none=" + aon, vals: subj, forms: true,
		build: func(v []string) isoReq {
			return isoReq{Method: "POST", Path: "/v1/contact/bulk-delete", Body: `{"contact_ids":` + isoJSON(l.with(v)) + flags + `}`}
		}}
}

func (w *isoWorld) cPatchKey(a *isoIDs) *isoCase {
	body := isoPick(w.rng, []string{`{"name":"renamed"}`, `{"restricted":true,"permissions":["calls.view"]}`, `{"restricted":false}`, `{}`, `{"permissions":["bogus"]}`, `{"name":""}`})
	return &isoCase{name: "PATCH /v1/api_key/{id}", vals: []string{isoPick(w.rng, w.bIDs.keys)}, forms: true,
		build: func(v []string) isoReq { return isoReq{Method: "PATCH", Path: "/v1/api_key/" + v[0], Body: body} }}
}

func (w *isoWorld) cDeleteKey(a *isoIDs) *isoCase {
	return &isoCase{name: "DELETE /v1/api_key/{id}", vals: []string{isoPick(w.rng, w.bIDs.keys)}, forms: true,
		build: func(v []string) isoReq { return isoReq{Method: "DELETE", Path: "/v1/api_key/" + v[0]} }}
}

func (w *isoWorld) koreaiPath(rest string) string {
	return "/agentassist/api/v1/public/st-" + strconv.Itoa(w.rng.IntN(10000)) + "/contacts/" + rest
}

// cKoreaiBulk deletes partially: only A's contacts with active calls may be mixed in.
func (w *isoWorld) cKoreaiBulk(a *isoIDs) *isoCase {
	subj := isoSample(w.rng, contactIDs(w.bIDs.contacts), 1+w.rng.IntN(3))
	l := w.mixIDs(len(subj), unknownIDs(w.rng, 2), isoSample(w.rng, contactIDs(activeContacts(a)), w.rng.IntN(3)))
	field, path := isoPick(w.rng, []string{"ids", "id"}), w.koreaiPath("bulk-delete")
	return &isoCase{name: "DELETE Kore.ai contacts/bulk-delete", vals: subj, forms: true,
		build: func(v []string) isoReq {
			return isoReq{Method: "DELETE", Path: path, Auth: "koreai", Body: `{"` + field + `":` + isoJSON(l.with(v)) + `}`}
		}}
}

func (w *isoWorld) cKoreaiSingle(a *isoIDs) *isoCase {
	path := w.koreaiPath("")
	return &isoCase{name: "DELETE Kore.ai contacts/{id}", vals: []string{isoPick(w.rng, w.bIDs.contacts).id}, forms: true,
		build: func(v []string) isoReq { return isoReq{Method: "DELETE", Path: path + v[0], Auth: "koreai"} }}
}

// cGenlogsBulk deletes all or nothing: B's ids are not A's, so any of A's contacts may be mixed in.
func (w *isoWorld) cGenlogsBulk(a *isoIDs) *isoCase {
	subj := isoSample(w.rng, contactIDs(w.bIDs.contacts), 1+w.rng.IntN(3))
	l := w.mixIDs(len(subj), unknownIDs(w.rng, 2), isoSample(w.rng, contactIDs(a.contacts), w.rng.IntN(3)))
	return &isoCase{name: "DELETE GenLogs bulk/contacts", vals: subj, forms: true,
		build: func(v []string) isoReq {
			return isoReq{Method: "DELETE", Path: "/onboarded-carrier/bulk/contacts", Auth: "genlogs", Body: `{"contact_ids":` + isoJSON(l.with(v)) + `}`}
		}}
}

func (w *isoWorld) cGenlogsSingle(a *isoIDs) *isoCase {
	return &isoCase{name: "DELETE GenLogs contacts/{contact_id}", vals: []string{isoPick(w.rng, w.bIDs.contacts).id}, forms: true,
		build: func(v []string) isoReq {
			return isoReq{Method: "DELETE", Path: "/onboarded-carrier/contacts/" + v[0], Auth: "genlogs"}
		}}
}

// cKoreaiAccount sends A's app JWT with B's company as the accountId.
func (w *isoWorld) cKoreaiAccount(a *isoIDs) *isoCase {
	target := isoPick(w.rng, append(contactIDs(w.bIDs.contacts), contactIDs(a.contacts)...))
	bulk := w.rng.IntN(2) == 0
	path := w.koreaiPath(target)
	if bulk {
		path = w.koreaiPath("bulk-delete")
	}
	return &isoCase{name: "DELETE Kore.ai with accountId=B's company", vals: []string{w.b.company.ID},
		build: func(v []string) isoReq {
			r := isoReq{Method: "DELETE", Path: path, Auth: "koreai", Account: v[0]}
			if bulk {
				r.Body = `{"ids":["` + target + `"]}`
			}
			return r
		}}
}

// cCallToIdentifier creates a call of A to one of B's identifiers: A gets a contact of its own.
func (w *isoWorld) cCallToIdentifier(a *isoIDs) *isoCase {
	cs := isoFilter(w.bIDs.contacts, func(c isoContact) bool { return !a.idents[c.ident] })
	if len(cs) == 0 {
		return nil
	}
	inbound := w.rng.IntN(2) == 0
	return &isoCase{name: "POST /v1/call/ with B's identifier", vals: []string{isoPick(w.rng, cs).ident}, fresh: w.freshIdent,
		build: func(v []string) isoReq {
			body := `{"from_number":"+34910000000","to_number":"` + v[0] + `"}`
			if inbound {
				body = `{"type":"inbound","from_number":"` + v[0] + `","to_number":"+34910000000"}`
			}
			return isoReq{Method: "POST", Path: "/v1/call/", Body: body}
		}}
}

// -- creating with a taken id: B's id against an id A itself holds --

func (w *isoWorld) tCreateCallWithID(a *isoIDs) *isoCase {
	ident := w.newIdent(w.a)
	return &isoCase{name: "POST /v1/call/ with id", vals: []string{isoPick(w.rng, w.bIDs.calls).id}, others: []string{isoPick(w.rng, a.calls).id}, forms: true,
		build: func(v []string) isoReq {
			return isoReq{Method: "POST", Path: "/v1/call/", Body: `{"id":"` + v[0] + `","from_number":"+34910000000","to_number":"` + ident + `"}`}
		}}
}

func ndjson(lines ...string) isoReq {
	return isoReq{Method: "POST", Path: "/v1/call/import", CT: "application/x-ndjson", Body: strings.Join(lines, "\n") + "\n"}
}

func (w *isoWorld) importLine(callID string, msgIDs, logIDs []string) string {
	line := `{"contact":{"identifier":"` + w.newIdent(w.a) + `"},"status":"completed","start_time":"2025-03-01T09:00:00Z","end_time":"2025-03-01T09:01:00Z"`
	if callID != "" {
		line += `,"id":"` + callID + `"`
	}
	var ms, ls []string
	for i, id := range msgIDs {
		ms = append(ms, fmt.Sprintf(`{"id":"%s","role":"user","content":"m%d"}`, id, i))
	}
	if len(ms) == 0 || w.rng.IntN(2) == 0 {
		ms = append(ms, `{"role":"assistant","content":"no id"}`)
	}
	for i, id := range logIDs {
		ls = append(ls, fmt.Sprintf(`{"id":"%s","level":"INFO","category":"CALL_LIFECYCLE","event":"l%d"}`, id, i))
	}
	if len(ls) == 0 || w.rng.IntN(2) == 0 {
		ls = append(ls, `{"level":"INFO","category":"USER","event":"no id"}`)
	}
	return line + `,"messages":[` + strings.Join(ms, ",") + `],"logs":[` + strings.Join(ls, ",") + `]}`
}

func (w *isoWorld) tImportCallID(a *isoIDs) *isoCase {
	line := w.importLine("@0", nil, nil)
	return &isoCase{name: "POST /v1/call/import line with call id", vals: []string{isoPick(w.rng, w.bIDs.calls).id}, others: []string{isoPick(w.rng, a.calls).id}, forms: true,
		build: func(v []string) isoReq { return ndjson(strings.Replace(line, "@0", v[0], 1)) }}
}

// slots turns "@i" placeholders of a template into values.
func slots(tmpl string, v []string) string {
	for i := len(v) - 1; i >= 0; i-- { // @10 before @1
		tmpl = strings.ReplaceAll(tmpl, "@"+strconv.Itoa(i), v[i])
	}
	return tmpl
}

func placeholders(from, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = "@" + strconv.Itoa(from+i)
	}
	return out
}

func (w *isoWorld) tImportMessageIDs(a *isoIDs) *isoCase {
	mine := distinctIDs(a.messages)
	k := min(1+w.rng.IntN(2), len(w.bIDs.messages), len(mine))
	if k == 0 {
		return nil
	}
	line := w.importLine("", placeholders(0, k), nil)
	return &isoCase{name: "POST /v1/call/import line with message ids", vals: isoSample(w.rng, distinctIDs(w.bIDs.messages), k), others: isoSample(w.rng, mine, k), forms: true,
		build: func(v []string) isoReq { return ndjson(slots(line, v)) }}
}

func (w *isoWorld) tImportLogIDs(a *isoIDs) *isoCase {
	k := min(1+w.rng.IntN(2), len(w.bIDs.logs), len(a.logs))
	if k == 0 {
		return nil
	}
	line := w.importLine("", nil, placeholders(0, k))
	return &isoCase{name: "POST /v1/call/import line with log ids", vals: rowIDs(isoSample(w.rng, w.bIDs.logs, k)), others: rowIDs(isoSample(w.rng, a.logs, k)), forms: true,
		build: func(v []string) isoReq { return ndjson(slots(line, v)) }}
}

// tImportMixed is an import of several lines: taken call, message and log ids, and good lines.
func (w *isoWorld) tImportMixed(a *isoIDs) *isoCase {
	nCalls := min(w.rng.IntN(3), len(a.calls))
	nMsgs := min(w.rng.IntN(3), len(w.bIDs.messages), len(distinctIDs(a.messages)))
	nLogs := min(w.rng.IntN(3), len(w.bIDs.logs), len(a.logs))
	if nCalls+nMsgs+nLogs == 0 {
		return nil
	}
	vals := callIDs(isoSample(w.rng, w.bIDs.calls, nCalls))
	others := callIDs(isoSample(w.rng, a.calls, nCalls))
	vals = append(vals, isoSample(w.rng, distinctIDs(w.bIDs.messages), nMsgs)...)
	others = append(others, isoSample(w.rng, distinctIDs(a.messages), nMsgs)...)
	vals = append(vals, rowIDs(isoSample(w.rng, w.bIDs.logs, nLogs))...)
	others = append(others, rowIDs(isoSample(w.rng, a.logs, nLogs))...)
	var lines []string
	for i := range nCalls {
		lines = append(lines, w.importLine("@"+strconv.Itoa(i), nil, nil))
	}
	for _, m := range placeholders(nCalls, nMsgs) {
		lines = append(lines, w.importLine("", []string{m}, nil))
	}
	if nLogs > 0 {
		lines = append(lines, w.importLine("", nil, placeholders(nCalls+nMsgs, nLogs)))
	}
	for range w.rng.IntN(3) {
		lines = append(lines, w.importLine("", nil, nil))
	}
	w.rng.Shuffle(len(lines), func(i, j int) { lines[i], lines[j] = lines[j], lines[i] })
	tmpl := strings.Join(lines, "\n")
	return &isoCase{name: "POST /v1/call/import mixed lines", vals: vals, others: others, forms: true,
		build: func(v []string) isoReq { return ndjson(slots(tmpl, v)) }}
}

func (w *isoWorld) tAppendMessageWithID(a *isoIDs) *isoCase {
	if len(w.bIDs.messages) == 0 || len(a.messages) == 0 {
		return nil
	}
	call := isoPick(w.rng, a.calls).id
	arr := w.rng.IntN(2) == 0
	return &isoCase{name: "POST /v1/call/{A's call}/message with id", vals: []string{isoPick(w.rng, w.bIDs.messages).id}, others: []string{isoPick(w.rng, a.messages).id}, forms: true,
		build: func(v []string) isoReq {
			body := `{"id":"` + v[0] + `","role":"user","content":"taken"}`
			if arr {
				body = "[" + body + `,{"role":"assistant","content":"next"}]`
			}
			return isoReq{Method: "POST", Path: "/v1/call/" + call + "/message", Body: body}
		}}
}

func (w *isoWorld) tAppendLogWithID(a *isoIDs) *isoCase {
	if len(w.bIDs.logs) == 0 || len(a.logs) == 0 {
		return nil
	}
	call := isoPick(w.rng, a.calls).id
	return &isoCase{name: "POST /v1/log/call/{A's call} with id", vals: []string{isoPick(w.rng, w.bIDs.logs).id}, others: []string{isoPick(w.rng, a.logs).id}, forms: true,
		build: func(v []string) isoReq {
			return isoReq{Method: "POST", Path: "/v1/log/call/" + call, Body: `{"id":"` + v[0] + `","level":"INFO","category":"USER","event":"taken"}`}
		}}
}

// -- A's own writes: each must answer as expected and change A's rows (the oracle sees them) --

// own runs one of A's own writes: do returns whether A's rows must have changed, or nil when the
// answer was wrong (already reported).
func (w *isoWorld) own(kind string, do func() (changes *bool)) bool {
	kind = "own: " + kind
	w.kind = kind
	w.ran[kind]++
	before := w.snapshot(w.a.company.ID)
	changes := do()
	if changes == nil {
		return true
	}
	changed := w.snapshot(w.a.company.ID) != before
	switch {
	case *changes && !changed:
		w.fail(kind, "the oracle is blind: A's own write changed none of A's rows")
	case !*changes && changed:
		w.fail(kind, "A's own write changed A's rows, though it should have changed nothing:\n%s", snapDiff(before, w.snapshot(w.a.company.ID)))
	case changed:
		w.blind[kind]++
	}
	return true
}

func isoBool(b bool) *bool { return &b }

// expect reports an unexpected answer to one of A's own writes.
func (w *isoWorld) expect(kind string, r isoReq, x *response, status int) bool {
	if x.Status != status {
		w.fail("own: "+kind, "%s\n      -> %d %s, want %d", r, x.Status, isoClip(string(x.Body)), status)
		return false
	}
	return true
}

func (w *isoWorld) oPatchCall(a *isoIDs) bool {
	c := isoPick(w.rng, a.calls)
	body := fmt.Sprintf(`{"recording_url":"https://rec.example/own-%d.wav"}`, w.next())
	switch c.status {
	case store.StatusDialing:
		body = isoPick(w.rng, []string{`{"status":"in_progress"}`, `{"status":"no_answer"}`})
	case store.StatusInProgress:
		body = `{"status":"completed","end_reason":"hangup"}`
	}
	return w.own("PATCH /v1/call/{own id}", func() *bool {
		r := isoReq{Method: "PATCH", Path: "/v1/call/" + c.id, Body: body}
		if !w.expect("PATCH /v1/call/{own id}", r, w.send(r), http.StatusOK) {
			return nil
		}
		return isoBool(true)
	})
}

func (w *isoWorld) oAppendMessage(a *isoIDs) bool {
	c := isoPick(w.rng, a.calls)
	return w.own("POST /v1/call/{own id}/message", func() *bool {
		r := isoReq{Method: "POST", Path: "/v1/call/" + c.id + "/message", Body: fmt.Sprintf(`{"role":"user","content":"own %d"}`, w.next())}
		if !w.expect("POST /v1/call/{own id}/message", r, w.send(r), http.StatusCreated) {
			return nil
		}
		return isoBool(true)
	})
}

func (w *isoWorld) oAppendLog(a *isoIDs) bool {
	c := isoPick(w.rng, a.calls)
	return w.own("POST /v1/log/call/{own id}", func() *bool {
		r := isoReq{Method: "POST", Path: "/v1/log/call/" + c.id, Body: `{"level":"INFO","category":"USER","event":"own"}`}
		if !w.expect("POST /v1/log/call/{own id}", r, w.send(r), http.StatusCreated) {
			return nil
		}
		return isoBool(true)
	})
}

// oCallBulkDelete deletes some of A's calls, with B's calls and unknown ids among them: only A's
// ended calls go.
func (w *isoWorld) oCallBulkDelete(a *isoIDs) bool {
	mine := isoSample(w.rng, a.calls, 1+w.rng.IntN(3))
	want := len(isoFilter(mine, func(c isoCall) bool { return store.IsTerminal(c.status) }))
	ids := append(callIDs(mine), isoSample(w.rng, callIDs(w.bIDs.calls), w.rng.IntN(3))...)
	ids = append(ids, unknownIDs(w.rng, 2)...)
	w.rng.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	kind := "POST /v1/call/bulk-delete (own and B's ids)"
	return w.own(kind, func() *bool {
		r := isoReq{Method: "POST", Path: "/v1/call/bulk-delete", Body: `{"call_ids":` + isoJSON(ids) + `}`}
		x := w.send(r)
		if !w.expect(kind, r, x, http.StatusOK) {
			return nil
		}
		if got := x.Map(w.t)["deleted"]; got != float64(want) {
			w.fail("own: "+kind, "%s\n      -> deleted %v, want %d (A's ended calls among the ids)", r, got, want)
			return nil
		}
		return isoBool(want > 0)
	})
}

// oContactDelete deletes some of A's contacts in a random dialect, with B's contacts and unknown
// ids among them where the dialect deletes partially. It checks every outcome and count.
func (w *isoWorld) oContactDelete(a *isoIDs) bool {
	mine := isoSample(w.rng, a.contacts, 1+w.rng.IntN(2))
	deletable := isoFilter(mine, func(c isoContact) bool { return !c.active })
	foreign := append(isoSample(w.rng, contactIDs(w.bIDs.contacts), w.rng.IntN(3)), unknownIDs(w.rng, 1)...)
	ids := append(contactIDs(mine), foreign...)
	w.rng.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	outcome := func(id string) string {
		c := a.contact(id)
		switch {
		case c.id == "":
			return "not_found"
		case c.active:
			return "has_active_call"
		}
		return "deleted"
	}
	switch dialect := w.rng.IntN(5); dialect {
	case 0: // native, partial
		kind := "POST /v1/contact/bulk-delete (own and B's ids)"
		return w.own(kind, func() *bool {
			r := isoReq{Method: "POST", Path: "/v1/contact/bulk-delete", Body: `{"contact_ids":` + isoJSON(ids) + `}`}
			x := w.send(r)
			if !w.expect(kind, r, x, http.StatusOK) {
				return nil
			}
			var got struct {
				Deleted         int   `json:"deleted"`
				CallsDeleted    int64 `json:"calls_deleted"`
				MessagesDeleted int64 `json:"messages_deleted"`
				LogsDetached    int64 `json:"logs_detached"`
				Results         []struct{ ID, Outcome string }
			}
			x.JSON(w.t, &got)
			var wantCalls, wantMsgs, wantLogs int64
			for _, c := range deletable {
				for _, call := range a.calls {
					if call.contact == c.id {
						wantCalls, wantMsgs, wantLogs = wantCalls+1, wantMsgs+int64(call.messages), wantLogs+int64(call.logs)
					}
				}
			}
			ok := got.Deleted == len(deletable) && got.CallsDeleted == wantCalls && got.MessagesDeleted == wantMsgs && got.LogsDetached == wantLogs && len(got.Results) == len(ids)
			for i := 0; ok && i < len(ids); i++ {
				ok = got.Results[i].ID == ids[i] && got.Results[i].Outcome == outcome(ids[i])
			}
			if !ok {
				w.fail("own: "+kind, "%s\n      -> %s\n      want deleted %d, calls %d, messages %d, logs %d", r, isoClip(string(x.Body)), len(deletable), wantCalls, wantMsgs, wantLogs)
				return nil
			}
			return isoBool(len(deletable) > 0)
		})
	case 1: // Kore.ai bulk, partial
		kind := "DELETE Kore.ai contacts/bulk-delete (own and B's ids)"
		return w.own(kind, func() *bool {
			r := isoReq{Method: "DELETE", Path: w.koreaiPath("bulk-delete"), Auth: "koreai", Body: `{"ids":` + isoJSON(ids) + `}`}
			x := w.send(r)
			if !w.expect(kind, r, x, http.StatusOK) {
				return nil
			}
			var got struct {
				Successful        int                           `json:"successful"`
				Failed            int                           `json:"failed"`
				SuccessfulRecords []struct{ ID string }         `json:"successfulRecords"`
				FailedRecords     []struct{ ID, Reason string } `json:"failedRecords"`
			}
			x.JSON(w.t, &got)
			var wantOK, wantFailed []string
			for _, id := range ids {
				if o := outcome(id); o == "deleted" {
					wantOK = append(wantOK, id)
				} else {
					wantFailed = append(wantFailed, id+":"+o)
				}
			}
			var gotOK, gotFailed []string
			for _, s := range got.SuccessfulRecords {
				gotOK = append(gotOK, s.ID)
			}
			for _, f := range got.FailedRecords {
				gotFailed = append(gotFailed, f.ID+":"+f.Reason)
			}
			if fmt.Sprint(gotOK) != fmt.Sprint(wantOK) || fmt.Sprint(gotFailed) != fmt.Sprint(wantFailed) || got.Successful != len(wantOK) || got.Failed != len(wantFailed) {
				w.fail("own: "+kind, "%s\n      -> %s\n      want successful %v, failed %v", r, isoClip(string(x.Body)), wantOK, wantFailed)
				return nil
			}
			return isoBool(len(wantOK) > 0)
		})
	case 2, 3: // single contact, Kore.ai or GenLogs
		c := mine[0]
		kind, r := "DELETE Kore.ai contacts/{own id}", isoReq{Method: "DELETE", Path: w.koreaiPath(c.id), Auth: "koreai"}
		if dialect == 3 {
			kind, r = "DELETE GenLogs contacts/{own id}", isoReq{Method: "DELETE", Path: "/onboarded-carrier/contacts/" + c.id, Auth: "genlogs"}
		}
		return w.own(kind, func() *bool {
			want := http.StatusOK
			if c.active {
				want = http.StatusConflict
			}
			if !w.expect(kind, r, w.send(r), want) {
				return nil
			}
			return isoBool(!c.active)
		})
	default: // GenLogs bulk, all or nothing: A's own ids only
		kind := "DELETE GenLogs bulk/contacts (own ids)"
		return w.own(kind, func() *bool {
			r := isoReq{Method: "DELETE", Path: "/onboarded-carrier/bulk/contacts", Auth: "genlogs", Body: `{"contact_ids":` + isoJSON(contactIDs(mine)) + `}`}
			all := len(deletable) == len(mine)
			want := http.StatusConflict
			if all {
				want = http.StatusOK
			}
			if !w.expect(kind, r, w.send(r), want) {
				return nil
			}
			return isoBool(all)
		})
	}
}

func (w *isoWorld) oCreateCall(a *isoIDs) bool {
	ident := w.newIdent(w.a)
	if w.rng.IntN(2) == 0 {
		ident = isoPick(w.rng, a.contacts).ident
	}
	kind := "POST /v1/call/ (own)"
	return w.own(kind, func() *bool {
		r := isoReq{Method: "POST", Path: "/v1/call/", Body: `{"from_number":"+34910000000","to_number":"` + ident + `","status":"` + isoPick(w.rng, store.CallStatuses) + `"}`}
		if !w.expect(kind, r, w.send(r), http.StatusCreated) {
			return nil
		}
		return isoBool(true)
	})
}

func (w *isoWorld) oImport(a *isoIDs) bool {
	n := 1 + w.rng.IntN(3)
	var lines []string
	for range n {
		lines = append(lines, w.importLine("", nil, nil))
	}
	kind := "POST /v1/call/import (own)"
	return w.own(kind, func() *bool {
		r := ndjson(lines...)
		x := w.send(r)
		if !w.expect(kind, r, x, http.StatusOK) {
			return nil
		}
		if got := x.Map(w.t)["imported"]; got != float64(n) {
			w.fail("own: "+kind, "%s\n      -> %s, want %d imported", r, isoClip(string(x.Body)), n)
			return nil
		}
		return isoBool(true)
	})
}

// oAPIKey creates, reads, changes or deletes a key A created through the API (never A's root key).
func (w *isoWorld) oAPIKey(a *isoIDs) bool {
	if len(w.ownKeys) == 0 || w.rng.IntN(3) == 0 {
		kind := "POST /v1/api_key/ (own)"
		return w.own(kind, func() *bool {
			r := isoReq{Method: "POST", Path: "/v1/api_key/", Body: fmt.Sprintf(`{"name":"own %d","restricted":true,"permissions":["calls.view"]}`, w.next())}
			x := w.send(r)
			if !w.expect(kind, r, x, http.StatusOK) {
				return nil
			}
			w.ownKeys = append(w.ownKeys, x.Map(w.t)["id"].(string))
			return isoBool(true)
		})
	}
	i := w.rng.IntN(len(w.ownKeys))
	id := w.ownKeys[i]
	switch w.rng.IntN(3) {
	case 0:
		kind := "PATCH /v1/api_key/{own id}"
		return w.own(kind, func() *bool {
			r := isoReq{Method: "PATCH", Path: "/v1/api_key/" + id, Body: fmt.Sprintf(`{"name":"renamed %d"}`, w.next())}
			if !w.expect(kind, r, w.send(r), http.StatusOK) {
				return nil
			}
			return isoBool(true)
		})
	case 1:
		kind := "DELETE /v1/api_key/{own id}"
		return w.own(kind, func() *bool {
			r := isoReq{Method: "DELETE", Path: "/v1/api_key/" + id}
			if !w.expect(kind, r, w.send(r), http.StatusOK) {
				return nil
			}
			w.ownKeys = append(w.ownKeys[:i], w.ownKeys[i+1:]...)
			return isoBool(true)
		})
	default:
		kind := "GET /v1/api_key/{own id}"
		return w.own(kind, func() *bool {
			r := isoReq{Method: "GET", Path: "/v1/api_key/" + id}
			if !w.expect(kind, r, w.send(r), http.StatusOK) {
				return nil
			}
			return isoBool(false)
		})
	}
}
