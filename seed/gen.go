package seed

import (
	"fmt"
	"math/rand/v2"

	"callstore/db/sqlcdb"
	"callstore/store"

	"github.com/google/uuid"
)

// company is what the generator knows of one seeded company.
type company struct {
	id       string
	contacts []sqlcdb.CreateContactParams
	agents   []agent
	phones   []*string
}

type agent struct {
	id       *string
	versions []*string
}

// contact picks the contact of a call: half of the calls go to the tenth of contacts that call
// often, the rest to anyone, so contacts are reused and a few have many calls.
func (c *company) contact(r *rand.Rand) *sqlcdb.CreateContactParams {
	if r.IntN(2) == 0 {
		return &c.contacts[r.IntN(max(1, len(c.contacts)/10))]
	}
	return &c.contacts[r.IntN(len(c.contacts))]
}

// chunk is the rows of one write transaction.
type chunk struct {
	calls    []sqlcdb.CreateCallParams
	messages []sqlcdb.CreateMessageParams
	logs     []sqlcdb.CreateCallLogParams
	active   int64 // calls still dialing or in progress
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

// chunk generates the rows of transaction k.
func (p *plan) chunk(k int) *chunk {
	r := p.rng(uint64(k) + 1)
	first := k * p.slotsPerChunk
	last := min(first+p.slotsPerChunk, p.calls)
	n := (last - first) * len(p.companies)
	ch := &chunk{
		calls:    make([]sqlcdb.CreateCallParams, 0, n),
		messages: make([]sqlcdb.CreateMessageParams, 0, n*p.messages),
		logs:     make([]sqlcdb.CreateCallLogParams, 0, n*p.logs),
	}
	for i := first; i < last; i++ {
		for _, c := range p.companies {
			p.call(r, ch, c, i)
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

// call appends one call of company c in slot i, with its transcript and its audit log.
//
// Times agree with the status: the call rings from created_date; unless it is still dialing or
// nobody answered, start_time is when the conversation began. Messages follow one another a few
// seconds apart; a terminal call ends shortly after its last message, with a duration in whole
// seconds (0 for no_answer) and an end reason; an active call has no end.
func (p *plan) call(r *rand.Rand, ch *chunk, c *company, slot int) {
	created := p.start + int64((float64(slot)+r.Float64())*p.step)
	id := newID(r, created)
	status := callStatus(r)
	typ := store.TypeOutbound
	if r.IntN(100) < 45 {
		typ = store.TypeInbound
	}
	ag := pick(r, c.agents)
	ct := c.contact(r)
	call := sqlcdb.CreateCallParams{
		ID: id, CompanyID: c.id, ContactID: ct.ID, ContactIdentifier: ct.Identifier, ContactType: ct.ContactType, ContactCreatedDate: ct.CreatedDate,
		AgentID: ag.id, AgentVersionID: pick(r, ag.versions),
		PhoneRegisterID: pick(r, c.phones), Status: status, Type: typ, CreatedDate: created,
	}
	if r.IntN(100) < 85 {
		call.DynamicVariables = pick(r, p.corpus.dynamicVars)
	}
	t := created + seconds(r, 2, 20)
	if status != store.StatusDialing && status != store.StatusNoAnswer {
		call.StartTime = ptr(t)
	}
	for j := range p.messages {
		t += seconds(r, 1, 12)
		m := sqlcdb.CreateMessageParams{CallID: id, CreatedDate: t, ID: newID(r, t)}
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
		ch.messages = append(ch.messages, m)
	}
	lastEvent := t
	terminal := store.IsTerminal(status)
	if terminal {
		end := t + seconds(r, 1, 5)
		lastEvent = end
		call.EndTime = ptr(end)
		call.EndReason = ptr(pick(r, endReasons[status]))
		if call.StartTime != nil {
			call.Duration = ptr((end - *call.StartTime) / 1e6)
		} else {
			call.Duration = ptr(int64(0))
		}
		if status == store.StatusCompleted || status == store.StatusTransferred {
			call.RecordingUrl = ptr("https://recordings.example.com/" + id + ".mp3")
		}
	} else {
		ch.active++
	}
	ch.calls = append(ch.calls, call)

	var trace *string
	if r.IntN(10) != 0 {
		trace = ptr(fmt.Sprintf("%016x%016x", r.Uint64(), r.Uint64()))
	}
	for k := range p.logs {
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
		ch.logs = append(ch.logs, sqlcdb.CreateCallLogParams{
			ID: newID(r, ts), CompanyID: c.id, CallID: &id, Timestamp: ts,
			Level: kind.level, Category: kind.category, Event: kind.event, TraceID: trace, Data: pick(r, kind.data),
		})
	}
}

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

// contactRows returns n contacts of company c created one after another before start, with
// distinct Spanish mobile numbers: an affine map k -> (a*k + b) mod 10^8 with a coprime to 10^8
// is a bijection, so numbers never repeat and still look random.
func contactRows(r *rand.Rand, companyID string, n int, start int64) []sqlcdb.CreateContactParams {
	const span = 180 * 24 * 3600 * 1e6 // contacts appeared over the half-year before the calls
	a := int64(2*r.IntN(1e6) + 1)      // odd, and below not a multiple of 5: coprime to 10^8
	for a%5 == 0 {
		a += 2
	}
	b := r.Int64N(1e8)
	step := span / int64(n)
	rows := make([]sqlcdb.CreateContactParams, n)
	for k := range rows {
		created := start - int64(n-k)*step
		rows[k] = sqlcdb.CreateContactParams{
			ID: newID(r, created), CompanyID: companyID, ContactType: "call", CreatedDate: created,
			Identifier: fmt.Sprintf("+346%08d", (a*int64(k)+b)%1e8),
		}
	}
	return rows
}
