package seed

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/callstore/callstore/store"

	"github.com/google/uuid"
)

// company is what the generator knows of one seeded company.
type company struct {
	id       string
	contacts []string // the contacts' phone numbers; the first tenth call most often
	called   []bool   // which contacts have had a call: the store creates a contact with its first call
	agents   []agent
	phones   []*string
}

type agent struct {
	id       *string
	versions []*string
}

// contact picks the contact of a call, by index: half of the calls go to the tenth of contacts
// that call often, the rest to anyone, so contacts are reused and a few have many calls.
func (c *company) contact(r *rand.Rand) int {
	if r.IntN(2) == 0 {
		return r.IntN(max(1, len(c.contacts)/10))
	}
	return r.IntN(len(c.contacts))
}

// chunk is the calls Run hands to the store in one go, with what they add to the Result.
type chunk struct {
	lines    [][]store.ImportLine // per company, in the order of plan.companies (Import writes for one company)
	n        int64                // calls
	active   int64                // calls still dialing or in progress
	messages int64
	logs     int64
	contacts int64 // contacts called for the first time, which the store creates
}

// plan lays the calls out in time: call slot i of every company is created in
// [start + i*step, start + (i+1)*step), so created dates rise with i and each transaction
// appends to the end of every time-ordered b-tree.
type plan struct {
	seed          uint64
	messages      int
	logs          int
	calls         int // per company
	companies     []*company
	corpus        *corpus
	start         int64   // unix µs of the first slot
	step          float64 // µs per slot
	slotsPerChunk int
}

// chunks is how many transactions the calls take.
func (p *plan) chunks() int { return (p.calls + p.slotsPerChunk - 1) / p.slotsPerChunk }

// rng returns the random stream of chunk k. Every chunk has its own stream, so the data depends
// only on the seed, whatever order or goroutine the chunks are generated in.
func (p *plan) rng(stream uint64) *rand.Rand { return rand.New(rand.NewPCG(p.seed, stream)) }

// chunk generates the calls of chunk k. It also marks the contacts they call, so chunks must be
// generated in order (the calls themselves depend only on the seed and k).
func (p *plan) chunk(k int) *chunk {
	r := p.rng(uint64(k) + 1)
	first := k * p.slotsPerChunk
	last := min(first+p.slotsPerChunk, p.calls)
	ch := &chunk{lines: make([][]store.ImportLine, len(p.companies))}
	for i := range p.companies {
		ch.lines[i] = make([]store.ImportLine, 0, last-first)
	}
	for slot := first; slot < last; slot++ {
		for i, c := range p.companies {
			ch.lines[i] = append(ch.lines[i], store.ImportLine{Line: len(ch.lines[i]) + 1, Call: p.call(r, ch, c, slot)})
		}
	}
	return ch
}

// The status mix: about 5% of calls are active, the rest terminal.
func callStatus(r *rand.Rand) string {
	switch n := r.IntN(1000); {
	case n < 15:
		return store.StatusDialing
	case n < 50:
		return store.StatusInProgress
	case n < 750:
		return store.StatusCompleted
	case n < 830:
		return store.StatusFailed
	case n < 900:
		return store.StatusTransferred
	default:
		return store.StatusNoAnswer
	}
}

// seconds returns a random duration of lo to hi seconds, in µs.
func seconds(r *rand.Rand, lo, hi int) int64 {
	return int64(lo)*1e6 + r.Int64N(int64(hi-lo)*1e6)
}

// call generates one call of company c in slot i, with its transcript and its audit log, as a
// line of an import: the store derives the rest (the contact and its copy in the call row, the
// duration of an answered call) as it does for the API.
//
// Times agree with the status: the call rings from created_date; unless it is still dialing or
// nobody answered, start_time is when the conversation began. Messages follow one another a few
// seconds apart; a terminal call ends shortly after its last message, with an end reason (and a
// duration of 0 when nobody answered); an active call has no end.
func (p *plan) call(r *rand.Rand, ch *chunk, c *company, slot int) store.ImportCall {
	created := p.start + int64((float64(slot)+r.Float64())*p.step)
	id := newID(r, created)
	status := callStatus(r)
	typ := store.TypeOutbound
	if r.IntN(100) < 45 {
		typ = store.TypeInbound
	}
	ag := pick(r, c.agents)
	ct := c.contact(r)
	if !c.called[ct] {
		c.called[ct] = true
		ch.contacts++
	}
	call := store.CallInput{
		ID: id, Type: typ, Status: status, Contact: &store.ContactInput{Identifier: c.contacts[ct], ContactType: "call"},
		AgentID: ag.id, AgentVersionID: pick(r, ag.versions), PhoneRegisterID: pick(r, c.phones), CreatedDate: at(created),
	}
	if r.IntN(100) < 85 {
		call.DynamicVariables = pick(r, p.corpus.dynamicVars)
	}
	t := created + seconds(r, 2, 20)
	if status != store.StatusDialing && status != store.StatusNoAnswer {
		call.StartTime = at(t)
	}
	messages := make([]store.MessageInput, p.messages)
	for j := range messages {
		t += seconds(r, 1, 12)
		m := &messages[j]
		m.ID, m.CreatedDate = newID(r, t), at(t)
		switch {
		case j%2 == 1:
			m.Role, m.Content = "user", pick(r, p.corpus.user)
		case j > 0 && r.IntN(6) == 0:
			m.Role, m.ToolCall = "tool", pick(r, p.corpus.toolCalls)
			if r.IntN(2) == 0 {
				m.Content = pick(r, p.corpus.toolResults)
			}
		default:
			m.Role, m.Content = "assistant", pick(r, p.corpus.assistant)
		}
	}
	lastEvent := t
	terminal := store.IsTerminal(status)
	if terminal {
		end := t + seconds(r, 1, 5)
		lastEvent = end
		call.EndTime = at(end)
		call.EndReason = ptr(pick(r, endReasons[status]))
		if call.StartTime == nil {
			call.Duration = ptr(int64(0)) // the store derives a duration only from both times
		}
		if status == store.StatusCompleted || status == store.StatusTransferred {
			call.RecordingURL = ptr("https://recordings.example.com/" + id + ".mp3")
		}
	} else {
		ch.active++
	}

	var trace *string
	if r.IntN(10) != 0 {
		trace = ptr(fmt.Sprintf("%016x%016x", r.Uint64(), r.Uint64()))
	}
	logs := make([]store.LogInput, p.logs)
	for k := range logs {
		kind := pick(r, p.corpus.middle)
		ts := created
		switch {
		case k == 0:
			kind = p.corpus.started
		case k == p.logs-1 && status == store.StatusFailed:
			kind, ts = p.corpus.failed, lastEvent
		case k == p.logs-1 && terminal:
			kind, ts = p.corpus.ended, lastEvent
		default:
			ts = created + (lastEvent-created)*int64(k)/int64(p.logs)
		}
		logs[k] = store.LogInput{ID: newID(r, ts), Timestamp: at(ts), Level: kind.level, Category: kind.category,
			Event: kind.event, TraceID: trace, Data: pick(r, kind.data)}
	}
	ch.n++
	ch.messages += int64(len(messages))
	ch.logs += int64(len(logs))
	return store.ImportCall{Call: call, Messages: messages, Logs: logs}
}

// at is the time of us (unix µs), as the store's inputs take it.
func at(us int64) *time.Time { return ptr(time.UnixMicro(us).UTC()) }

// newID returns a version 7 UUID for the time us (unix µs): 48 bits of milliseconds, then the
// sub-millisecond part in the 12 bits RFC 9562 lets carry extra clock precision, then random
// bits. Ids therefore sort like their created dates, down to the microsecond, which makes every
// b-tree keyed by id grow at its right end.
func newID(r *rand.Rand, us int64) string {
	var u uuid.UUID
	ms := uint64(us / 1000)
	sub := uint64(us%1000) * 4096 / 1000
	for i := range 6 {
		u[i] = byte(ms >> (40 - 8*i))
	}
	u[6] = 0x70 | byte(sub>>8)
	u[7] = byte(sub)
	rnd := r.Uint64()
	for i := range 8 {
		u[8+i] = byte(rnd >> (56 - 8*i))
	}
	u[8] = 0x80 | u[8]&0x3f // RFC 9562 variant
	return u.String()
}

// newCompanyPools draws the agents, agent versions and phone numbers of one company.
func newCompanyPools(r *rand.Rand, c *company, now int64) {
	for range 6 {
		a := agent{id: ptr(newID(r, now))}
		for range 3 {
			a.versions = append(a.versions, ptr(newID(r, now)))
		}
		c.agents = append(c.agents, a)
	}
	for range 4 {
		c.phones = append(c.phones, ptr(newID(r, now)))
	}
}

// contactNumbers returns the phone numbers of n contacts: distinct Spanish mobile numbers, from an
// affine map k -> (a*k + b) mod 10^8 with a coprime to 10^8, which is a bijection, so numbers never
// repeat and still look random.
func contactNumbers(r *rand.Rand, n int) []string {
	a := int64(2*r.IntN(1e6) + 1) // odd, and below not a multiple of 5: coprime to 10^8
	for a%5 == 0 {
		a += 2
	}
	b := r.Int64N(1e8)
	numbers := make([]string, n)
	for k := range numbers {
		numbers[k] = fmt.Sprintf("+346%08d", (a*int64(k)+b)%1e8)
	}
	return numbers
}
