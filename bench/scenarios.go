package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/callstore/callstore/store"
)

// The wire shapes bench reads (a subset of the contract's CallResponse and PaginatedResponse).
type callJSON struct {
	ID          string    `json:"id"`
	Status      string    `json:"status"`
	CreatedDate time.Time `json:"created_date"`
	Contact     struct {
		ID string `json:"id"`
	} `json:"contact"`
	DynamicVariables map[string]any `json:"dynamic_variables"`
}

// benchSource marks the calls the load generator records itself (mixed's ingest, in their
// dynamic_variables). They have no transcript, for which the contract's answer is 404
// NO_MESSAGES_FOR_CALL, so the discovery of a later run on the same file leaves them out.
const benchSource = "callstore bench"

type pageJSON struct {
	Data       []callJSON `json:"data"`
	LastID     *string    `json:"last_id"`
	HasMore    bool       `json:"has_more"`
	TotalPages *int64     `json:"total_pages"`
}

// sample is what discovery found: ids spread over the whole data set.
type sample struct {
	calls      []string // calls to read (get, messages)
	cursors    []string // calls at least cfg.Depth rows from the newest (list-deep)
	contacts   []string // contacts that have calls (list-contact)
	deletable  []string // terminal calls, each sent to bulk-delete once; guarded by runner.mu
	handedOut  int      // deletable ids used so far
	totalPages int64    // list-page: pages of cfg.Limit calls
}

// getJSON is a discovery request: not measured, and any non-2xx answer ends the run.
func (b *runner) getJSON(ctx context.Context, path string, v any) error {
	var body bytes.Buffer
	status, err := b.discovery.do(ctx, "GET", b.prefix+path, b.cfg.Key, nil, &body)
	if err != nil {
		return fmt.Errorf("bench: discovery: %w", err)
	}
	if status != 200 {
		return fmt.Errorf("bench: discovery: GET %s: %d %s", path, status, truncate(body.Bytes(), 300))
	}
	if err := json.Unmarshal(body.Bytes(), v); err != nil {
		return fmt.Errorf("bench: discovery: GET %s: %w", path, err)
	}
	return nil
}

func listPath(params ...string) string {
	q := url.Values{}
	for i := 0; i+1 < len(params); i += 2 {
		q.Set(params[i], params[i+1])
	}
	return "/v1/call/?" + q.Encode()
}

// discover finds the ids the scenario needs:
//   - the created dates of the newest and the oldest call;
//   - for list-deep and mixed, the created date of the call cfg.Depth rows from the newest, by
//     walking the list with limit=1000 (cursors deeper than it are "deep");
//   - cfg.Sample calls in probes of up to 1000 consecutive calls starting at random created dates
//     (start_created_date, order=asc), so the ids are spread over the whole data set;
//   - for list-page, the number of pages.
func (b *runner) discover(ctx context.Context) error {
	cfg, log := b.cfg, b.cfg.Log
	b.data = &sample{}
	sc := cfg.Scenario
	if sc == "list-first" {
		return nil
	}
	if sc == "list-page" {
		var p pageJSON
		if err := b.getJSON(ctx, listPath("page", "1", "limit", strconv.Itoa(cfg.Limit)), &p); err != nil {
			return err
		}
		if p.TotalPages == nil || *p.TotalPages < 1 {
			return errors.New("bench: the list has no pages (total_pages missing or 0): seed some calls first")
		}
		b.data.totalPages = *p.TotalPages
		if int64(cfg.MaxPage) > b.data.totalPages {
			b.note(fmt.Sprintf("only %d pages of %d calls: pages 1-%d requested", b.data.totalPages, cfg.Limit, b.data.totalPages))
		}
		return nil
	}

	var newest, oldest pageJSON
	if err := b.getJSON(ctx, listPath("limit", "1"), &newest); err != nil {
		return err
	}
	if err := b.getJSON(ctx, listPath("limit", "1", "order", "asc"), &oldest); err != nil {
		return err
	}
	if len(newest.Data) == 0 || len(oldest.Data) == 0 {
		return errors.New("bench: the company has no calls: seed some first (callstore seed)")
	}
	lo, hi := oldest.Data[0].CreatedDate, newest.Data[0].CreatedDate

	deep := hi // calls created at or before deep are cfg.Depth rows from the newest or deeper
	if sc == "list-deep" || sc == "mixed" {
		fmt.Fprintf(log, "discovery: walking %d calls from the newest to find the depth of the deep cursors\n", cfg.Depth)
		seen, after := 0, ""
		for {
			params := []string{"limit", "1000"}
			if after != "" {
				params = append(params, "after", after)
			}
			var p pageJSON
			if err := b.getJSON(ctx, listPath(params...), &p); err != nil {
				return err
			}
			if seen+len(p.Data) > cfg.Depth {
				deep = p.Data[cfg.Depth-seen].CreatedDate
				break
			}
			seen += len(p.Data)
			if !p.HasMore || p.LastID == nil || len(p.Data) == 0 {
				// Fewer calls than the depth: settle for the older half.
				deep = lo.Add(hi.Sub(lo) / 2)
				b.note(fmt.Sprintf("only %d calls, fewer than -depth %d: deep cursors are the older half", seen, cfg.Depth))
				break
			}
			after = *p.LastID
		}
	}

	probes := (cfg.Sample + 999) / 1000
	per := min(cfg.Sample, 1000)
	fmt.Fprintf(log, "discovery: sampling %d calls in %d probes at random created dates between %s and %s\n",
		probes*per, probes, lo.Format(time.DateOnly), hi.Format(time.DateOnly))
	r := rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	found := map[string]callJSON{}
	for range probes {
		at := lo.Add(time.Duration(r.Int64N(int64(hi.Sub(lo)) + 1)))
		var p pageJSON
		path := listPath("order", "asc", "limit", strconv.Itoa(per), "start_created_date", at.UTC().Format(time.RFC3339Nano))
		if err := b.getJSON(ctx, path, &p); err != nil {
			return err
		}
		for _, c := range p.Data {
			found[c.ID] = c
		}
	}
	calls := make([]callJSON, 0, len(found))
	for _, c := range found {
		calls = append(calls, c)
	}
	r.Shuffle(len(calls), func(i, j int) { calls[i], calls[j] = calls[j], calls[i] })

	contacts := map[string]bool{}
	for i, c := range calls {
		if c.DynamicVariables["source"] == benchSource {
			continue
		}
		// bulk-delete deletes every terminal call it sampled; mixed deletes half of them and reads
		// the rest, so no read meets a call deleted under it.
		if store.IsTerminal(c.Status) && (sc == "bulk-delete" || sc == "mixed" && i%2 == 0) {
			b.data.deletable = append(b.data.deletable, c.ID)
			continue
		}
		b.data.calls = append(b.data.calls, c.ID)
		if !c.CreatedDate.After(deep) && c.CreatedDate.Before(hi) {
			b.data.cursors = append(b.data.cursors, c.ID)
		}
		if c.Contact.ID != "" && !contacts[c.Contact.ID] {
			contacts[c.Contact.ID] = true
			b.data.contacts = append(b.data.contacts, c.Contact.ID)
		}
	}
	fmt.Fprintf(log, "discovery: %d calls to read, %d deep cursors, %d contacts, %d terminal calls to delete\n",
		len(b.data.calls), len(b.data.cursors), len(b.data.contacts), len(b.data.deletable))
	switch {
	case sc == "bulk-delete" && len(b.data.deletable) < bulkSize:
		return fmt.Errorf("bench: only %d terminal calls sampled, fewer than one bulk delete of %d", len(b.data.deletable), bulkSize)
	case sc != "bulk-delete" && len(b.data.calls) == 0:
		return errors.New("bench: no calls sampled")
	case (sc == "list-deep" || sc == "mixed") && len(b.data.cursors) == 0:
		return errors.New("bench: no deep cursors sampled: lower -depth or seed more calls")
	}
	return nil
}

// errExhausted ends a bulk-delete run that has sent every sampled terminal call.
var errExhausted = errors.New("sample exhausted")

// takeDeletable hands out the next 500 never-sent terminal call ids, or nil when fewer are left.
func (b *runner) takeDeletable() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	d := b.data
	if len(d.deletable)-d.handedOut < bulkSize {
		return nil
	}
	ids := d.deletable[d.handedOut : d.handedOut+bulkSize]
	d.handedOut += bulkSize
	return ids
}

// scenario returns the step the workers repeat. A step returns an error only to end the run.
func (b *runner) scenario() (func(*worker) error, error) {
	steps := map[string]func(*worker) error{
		"list-first":   (*worker).listFirst,
		"list-deep":    (*worker).listDeep,
		"list-contact": (*worker).listContact,
		"list-page":    (*worker).listPage,
		"get":          (*worker).get,
		"messages":     (*worker).messages,
		"bulk-delete": func(w *worker) error {
			err := w.bulkDelete()
			if errors.Is(err, errExhausted) {
				return fmt.Errorf("bulk-delete stopped early: it sent all %d sampled terminal calls; raise -sample for a longer run", len(b.data.deletable))
			}
			return err
		},
		"mixed": (*worker).mixed,
	}
	step, ok := steps[b.cfg.Scenario]
	if !ok {
		return nil, fmt.Errorf("bench: unknown scenario %q", b.cfg.Scenario)
	}
	return step, nil
}

func (w *worker) limit() string { return strconv.Itoa(w.b.cfg.Limit) }

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func (w *worker) listFirst() error {
	_, _, stop := w.do("list-first", http.MethodGet, listPath("limit", w.limit()), nil)
	return stop
}

func (w *worker) listDeep() error {
	_, _, stop := w.do("list-deep", http.MethodGet, listPath("limit", w.limit(), "after", pick(w.rng, w.b.data.cursors)), nil)
	return stop
}

func (w *worker) listContact() error {
	_, _, stop := w.do("list-contact", http.MethodGet, listPath("limit", w.limit(), "contact_id", pick(w.rng, w.b.data.contacts)), nil)
	return stop
}

func (w *worker) listPage() error {
	page := 1 + w.rng.Int64N(min(int64(w.b.cfg.MaxPage), w.b.data.totalPages))
	_, _, stop := w.do("list-page", http.MethodGet, listPath("limit", w.limit(), "page", strconv.FormatInt(page, 10)), nil)
	return stop
}

func (w *worker) get() error {
	_, _, stop := w.do("get", http.MethodGet, "/v1/call/"+pick(w.rng, w.b.data.calls), nil)
	return stop
}

func (w *worker) messages() error {
	_, _, stop := w.do("messages", http.MethodGet, "/v1/call/"+pick(w.rng, w.b.data.calls)+"/message", nil)
	return stop
}

// bulkDelete sends 500 terminal calls never sent before and adds up what the server deleted.
func (w *worker) bulkDelete() error {
	ids := w.b.takeDeletable()
	if ids == nil {
		return errExhausted
	}
	body, _ := json.Marshal(map[string][]string{"call_ids": ids})
	data, ok, stop := w.do("bulk-delete", http.MethodPost, "/v1/call/bulk-delete", body)
	if !ok {
		return stop
	}
	var res struct {
		Deleted *int64 `json:"deleted"`
	}
	if err := json.Unmarshal(data, &res); err != nil || res.Deleted == nil {
		w.b.note(fmt.Sprintf("bulk-delete answered %s, want {\"deleted\": N}", truncate(data, 200)))
		return nil
	}
	w.b.mu.Lock()
	w.b.deleted += *res.Deleted
	w.b.mu.Unlock()
	if *res.Deleted != bulkSize {
		w.b.note(fmt.Sprintf("a bulk delete of %d terminal calls deleted %d", bulkSize, *res.Deleted))
	}
	return nil
}

// ingest creates an outbound call and then completes it, as a dialer and its call would.
func (w *worker) ingest() error {
	body, _ := json.Marshal(map[string]any{
		"from_number":       "+34910000000",
		"to_number":         fmt.Sprintf("+346%08d", w.rng.IntN(100000000)),
		"dynamic_variables": map[string]any{"source": benchSource},
	})
	data, ok, stop := w.do("ingest", http.MethodPost, "/v1/call/", body)
	if !ok {
		return stop
	}
	var c callJSON
	if err := json.Unmarshal(data, &c); err != nil || c.ID == "" {
		w.b.note(fmt.Sprintf("POST /v1/call/ answered %s, want a CallResponse", truncate(data, 200)))
		return nil
	}
	_, _, stop = w.do("complete", http.MethodPatch, "/v1/call/"+c.ID, []byte(`{"status":"completed"}`))
	return stop
}

// mixed picks one operation per step: mostly reads, a steady share of ingest, and now and then a
// bulk delete (which stops, with a note, once its share of the sample is used up).
func (w *worker) mixed() error {
	switch n := w.rng.IntN(100); {
	case n < 25:
		return w.listFirst()
	case n < 45:
		return w.listDeep()
	case n < 70:
		return w.get()
	case n < 85:
		return w.messages()
	case n < 99:
		return w.ingest()
	}
	err := w.bulkDelete()
	if errors.Is(err, errExhausted) {
		w.b.note("mixed: the sampled terminal calls are all deleted; no more bulk deletes this run")
		return nil
	}
	return err
}
