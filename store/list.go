package store

import (
	"context"

	"callstore/db/sqlcdb"
)

// CallFilter narrows a list of calls; nil fields and an open DateRange do not filter. All filters
// combine with AND.
type CallFilter struct {
	ContactID *string
	AgentID   *string
	PhoneID   *string // phone_register_id
	Status    *string
	Type      *string
	Created   DateRange // created_date, both ends inclusive
}

// callListParams is the parameter list every call list query shares (see queries/calls_list.sql).
// The constraint makes the compiler check that each generated query still takes exactly these
// parameters, so one code path can run any of them.
type callListParams interface {
	~struct {
		CompanyID                                 string
		CursorDate                                *int64
		CursorID                                  string
		ContactID, AgentID, PhoneID, Status, Type *string
		Lo, Hi, Off, Lim                          int64
	}
}

// callCountParams is the parameter list every call count query shares.
type callCountParams interface {
	~struct {
		CompanyID                                 string
		ContactID, AgentID, PhoneID, Status, Type *string
		Lo, Hi                                    int64
	}
}

type callLister func(context.Context, sqlcdb.ListCallsAscParams) ([]Call, error)
type callCounter func(context.Context, sqlcdb.CountCallsParams) (int64, error)

// listCallsWith adapts one generated list query to callLister.
func listCallsWith[P callListParams](query func(context.Context, P) ([]sqlcdb.Call, error)) callLister {
	return func(ctx context.Context, arg sqlcdb.ListCallsAscParams) ([]Call, error) {
		rows, err := query(ctx, P(arg))
		if err != nil {
			return nil, err
		}
		out := make([]Call, len(rows))
		for i := range rows {
			out[i] = callFromRow(&rows[i])
		}
		return out, nil
	}
}

// countCallsWith adapts one generated count query to callCounter.
func countCallsWith[P callCountParams](query func(context.Context, P) (int64, error)) callCounter {
	return func(ctx context.Context, arg sqlcdb.CountCallsParams) (int64, error) { return query(ctx, P(arg)) }
}

// callQueries picks the queries driven by the most selective filter present: the one whose index
// narrows the rows the most before the residual filters run (contact > agent > phone > status >
// company). Page mode uses the same queries with an OFFSET: the rows it skips are passed over
// without their columns being read.
func (s *Store) callQueries(f CallFilter) (asc, desc callLister, count callCounter) {
	q := s.r
	switch {
	case f.ContactID != nil:
		return listCallsWith(q.ListCallsByContactAsc), listCallsWith(q.ListCallsByContactDesc), countCallsWith(q.CountCallsByContact)
	case f.AgentID != nil:
		return listCallsWith(q.ListCallsByAgentAsc), listCallsWith(q.ListCallsByAgentDesc), countCallsWith(q.CountCallsByAgent)
	case f.PhoneID != nil:
		return listCallsWith(q.ListCallsByPhoneAsc), listCallsWith(q.ListCallsByPhoneDesc), countCallsWith(q.CountCallsByPhone)
	case f.Status != nil:
		return listCallsWith(q.ListCallsByStatusAsc), listCallsWith(q.ListCallsByStatusDesc), countCallsWith(q.CountCallsByStatus)
	default:
		return listCallsWith(q.ListCallsAsc), listCallsWith(q.ListCallsDesc), countCallsWith(q.CountCalls)
	}
}

// ListCalls pages through the caller's company's calls that match f, each with its contact.
// An after/before id that is not a call of the company is EINVALID (NOT_VALID_FIELD).
func (s *Store) ListCalls(ctx context.Context, p Principal, f CallFilter, pg PageRequest) (Page[Call], error) {
	asc, desc, count := s.callQueries(f)
	cursorOf := func(id string) (Cursor, error) {
		k, err := s.r.GetCallKey(ctx, sqlcdb.GetCallKeyParams{CompanyID: p.CompanyID, ID: id})
		if isNoRows(err) {
			return Cursor{}, errInvalidCursor()
		}
		return Cursor{Date: k.CreatedDate, ID: k.ID}, err
	}
	list := func(ascending bool, w Window) ([]Call, error) {
		arg := sqlcdb.ListCallsAscParams{
			CompanyID: p.CompanyID, ContactID: f.ContactID, AgentID: f.AgentID, PhoneID: f.PhoneID, Status: f.Status, Type: f.Type,
			Lo: w.Lo, Hi: w.Hi, CursorID: w.Cursor.ID, Off: w.Offset, Lim: w.Limit,
		}
		if !w.Lookup {
			arg.CursorDate = &w.Cursor.Date // NULL makes the query look the key of CursorID up
		}
		if ascending {
			return asc(ctx, arg)
		}
		return desc(ctx, arg)
	}
	total := func() (int64, error) {
		if f == (CallFilter{}) {
			// Unfiltered: the per-company counter kept by triggers (migration 2), one row lookup
			// instead of a walk over every call of the company.
			return s.r.CountCompanyCalls(ctx, p.CompanyID)
		}
		lo, hi := f.Created.bounds()
		return count(ctx, sqlcdb.CountCallsParams{
			CompanyID: p.CompanyID, ContactID: f.ContactID, AgentID: f.AgentID, PhoneID: f.PhoneID, Status: f.Status, Type: f.Type, Lo: lo, Hi: hi,
		})
	}
	return paginate(pg, f.Created, keyLookup{Key: cursorOf, InList: true}, list, total, func(c Call) string { return c.ID })
}

// callExists returns ENOTFOUND (CALL_NOT_FOUND) unless id is a call of the company.
func (s *Store) callExists(ctx context.Context, companyID, id string) error {
	n, err := s.r.CallExists(ctx, sqlcdb.CallExistsParams{CompanyID: companyID, ID: id})
	if err != nil {
		return err
	} else if n == 0 {
		return errCallNotFound(id)
	}
	return nil
}

// ListMessages pages through the transcript of one call of the caller's company, ordered by
// (created date, id). A call of the company without any message is ENOTFOUND (NO_MESSAGES_FOR_CALL),
// as the contract documents; an after/before id that is not a message of the call is EINVALID.
func (s *Store) ListMessages(ctx context.Context, p Principal, callID string, pg PageRequest) (Page[Message], error) {
	if err := pg.check(); err != nil {
		return Page[Message]{}, err
	}
	if err := s.callExists(ctx, p.CompanyID, callID); err != nil {
		return Page[Message]{}, err
	}
	if has, err := s.r.HasMessages(ctx, callID); err != nil {
		return Page[Message]{}, err
	} else if !has {
		return Page[Message]{}, Errorf(ENOTFOUND, "NO_MESSAGES_FOR_CALL", "No messages found for call %s", callID)
	}
	cursorOf := func(id string) (Cursor, error) {
		k, err := s.r.GetMessageKey(ctx, sqlcdb.GetMessageKeyParams{CallID: callID, ID: id})
		if isNoRows(err) {
			return Cursor{}, errInvalidCursor()
		}
		return Cursor{Date: k.CreatedDate, ID: k.ID}, err
	}
	list := func(asc bool, w Window) ([]Message, error) {
		var rows []sqlcdb.Message
		var err error
		if asc {
			rows, err = s.r.ListMessagesAsc(ctx, sqlcdb.ListMessagesAscParams{CallID: callID, Lo: w.Lo, Hi: w.Hi, CursorDate: w.Cursor.Date, CursorID: w.Cursor.ID, Off: w.Offset, Lim: w.Limit})
		} else {
			rows, err = s.r.ListMessagesDesc(ctx, sqlcdb.ListMessagesDescParams{CallID: callID, Lo: w.Lo, Hi: w.Hi, CursorDate: w.Cursor.Date, CursorID: w.Cursor.ID, Off: w.Offset, Lim: w.Limit})
		}
		out := make([]Message, len(rows))
		for i, r := range rows {
			out[i] = messageFromRow(r)
		}
		return out, err
	}
	count := func() (int64, error) { return s.r.CountMessages(ctx, callID) }
	return paginate(pg, DateRange{}, keyLookup{Key: cursorOf}, list, count, func(m Message) string { return m.ID })
}

// LogFilter narrows a list of log entries; nil fields and an open DateRange do not filter.
type LogFilter struct {
	CallID   *string
	Category *string
	Level    *string
	Time     DateRange // timestamp, both ends inclusive
}

// logListParams is the parameter list every log list query shares (see queries/call_log_list.sql).
type logListParams interface {
	~struct {
		CompanyID               string
		CallID, Category, Level *string
		Lo, Hi, CursorDate      int64
		CursorID                string
		Off, Lim                int64
	}
}

// logCountParams is the parameter list every log count query shares.
type logCountParams interface {
	~struct {
		CompanyID               string
		CallID, Category, Level *string
		Lo, Hi                  int64
	}
}

type logLister func(context.Context, sqlcdb.ListLogsAscParams) ([]LogEntry, error)
type logCounter func(context.Context, sqlcdb.CountLogsParams) (int64, error)

func listLogsWith[P logListParams](query func(context.Context, P) ([]sqlcdb.CallLog, error)) logLister {
	return func(ctx context.Context, arg sqlcdb.ListLogsAscParams) ([]LogEntry, error) {
		rows, err := query(ctx, P(arg))
		out := make([]LogEntry, len(rows))
		for i, r := range rows {
			out[i] = logFromRow(r)
		}
		return out, err
	}
}

func countLogsWith[P logCountParams](query func(context.Context, P) (int64, error)) logCounter {
	return func(ctx context.Context, arg sqlcdb.CountLogsParams) (int64, error) { return query(ctx, P(arg)) }
}

// ListCallLogs pages through the log of one call of the caller's company, ordered by (timestamp, id).
// An unknown call (or another company's) is ENOTFOUND (CALL_NOT_FOUND).
func (s *Store) ListCallLogs(ctx context.Context, p Principal, callID string, f LogFilter, pg PageRequest) (Page[LogEntry], error) {
	if err := pg.check(); err != nil {
		return Page[LogEntry]{}, err
	}
	if err := s.callExists(ctx, p.CompanyID, callID); err != nil {
		return Page[LogEntry]{}, err
	}
	f.CallID = &callID
	return s.ListLogs(ctx, p, f, pg)
}

// ListLogs pages through the caller's company's log, ordered by (timestamp, id). It includes the
// entries whose call was deleted (call_id null); filtering by the id of a deleted call therefore
// finds nothing. An after/before id that is not an entry of the company (and of the filtered call)
// is EINVALID.
func (s *Store) ListLogs(ctx context.Context, p Principal, f LogFilter, pg PageRequest) (Page[LogEntry], error) {
	q := s.r
	asc, desc, count := listLogsWith(q.ListLogsAsc), listLogsWith(q.ListLogsDesc), countLogsWith(q.CountLogs)
	if f.CallID != nil {
		asc, desc, count = listLogsWith(q.ListLogsByCallAsc), listLogsWith(q.ListLogsByCallDesc), countLogsWith(q.CountLogsByCall)
	}
	cursorOf := func(id string) (Cursor, error) {
		k, err := s.r.GetLogKey(ctx, sqlcdb.GetLogKeyParams{CompanyID: p.CompanyID, ID: id, CallID: f.CallID})
		if isNoRows(err) {
			return Cursor{}, errInvalidCursor()
		}
		return Cursor{Date: k.Timestamp, ID: k.ID}, err
	}
	list := func(ascending bool, w Window) ([]LogEntry, error) {
		arg := sqlcdb.ListLogsAscParams{
			CompanyID: p.CompanyID, CallID: f.CallID, Category: f.Category, Level: f.Level,
			Lo: w.Lo, Hi: w.Hi, CursorDate: w.Cursor.Date, CursorID: w.Cursor.ID, Off: w.Offset, Lim: w.Limit,
		}
		if ascending {
			return asc(ctx, arg)
		}
		return desc(ctx, arg)
	}
	total := func() (int64, error) {
		lo, hi := f.Time.bounds()
		return count(ctx, sqlcdb.CountLogsParams{CompanyID: p.CompanyID, CallID: f.CallID, Category: f.Category, Level: f.Level, Lo: lo, Hi: hi})
	}
	return paginate(pg, f.Time, keyLookup{Key: cursorOf}, list, total, func(l LogEntry) string { return l.ID })
}
