package store

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/callstore/callstore/db/sqlcdb"
)

// LogLevels and LogCategories are the contract's log levels and categories.
var (
	LogLevels     = []string{"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}
	LogCategories = []string{"CALL_LIFECYCLE", "USER", "AGENT", "CALL_TOOLS", "INTEGRATION_TOOLS", "CONVERSATIONAL_PATHS", "TRANSFER", "METRICS", "SECURITY", "WEBHOOKS", "WORKFLOWS", "KNOWLEDGE", "REALTIME_SESSION"}
)

// LogInput is one audit entry as a client appends it.
type LogInput struct {
	ID        string // import only: "" gives a new v7 UUID; a given id must not exist in any company
	Level     string
	Category  string
	Event     string
	Timestamp *time.Time // nil: see AppendLogs
	TraceID   *string
	Data      json.RawMessage // a JSON object, or nil
}

func (l *LogInput) normalize() error {
	if l.ID != "" {
		id, ok := canonicalID(l.ID)
		if !ok {
			return Errorf(EINVALID, "INVALID_LOG_ID", "log id %q is not a valid UUID", l.ID)
		}
		l.ID = id
	}
	if !slices.Contains(LogLevels, l.Level) {
		return Errorf(EINVALID, "INVALID_LOG_LEVEL", "level must be one of %s, not %q", strings.Join(LogLevels, ", "), l.Level)
	}
	if !slices.Contains(LogCategories, l.Category) {
		return Errorf(EINVALID, "INVALID_LOG_CATEGORY", "category must be one of %s, not %q", strings.Join(LogCategories, ", "), l.Category)
	}
	if l.Event == "" {
		return Errorf(EINVALID, "INVALID_LOG_EVENT", "event must not be empty")
	}
	l.Timestamp = truncPtr(l.Timestamp)
	return checkObject("data", l.Data)
}

// AppendLogs adds audit entries to a call of the caller's company. Entries without a timestamp get
// the time of the write plus their index in microseconds.
func (s *Store) AppendLogs(ctx context.Context, p Principal, callID string, in []LogInput) ([]LogEntry, error) {
	if err := checkBatch("log entries", len(in)); err != nil {
		return nil, err
	}
	for i := range in {
		in[i].ID = ""
		if err := in[i].normalize(); err != nil {
			return nil, itemError(err, i)
		}
	}
	var out []LogEntry
	err := s.inTx(ctx, func(tx *txn) error {
		if err := requireCall(ctx, tx.Q, p.CompanyID, callID); err != nil {
			return err
		}
		var err error
		out, err = insertLogs(ctx, tx.Q, p.CompanyID, callID, tx.Now, in)
		return err
	})
	return out, err
}

// insertLogs writes normalized entries of one call; those without a timestamp get base + index µs.
func insertLogs(ctx context.Context, q sqlcdb.Querier, companyID, callID string, base time.Time, in []LogInput) ([]LogEntry, error) {
	rows := logRows(companyID, callID, base, in)
	if err := insertLogRows(ctx, q, rows); err != nil {
		return nil, err
	}
	out := make([]LogEntry, len(rows))
	for i, r := range rows {
		out[i] = logFromRow(sqlcdb.CallLog(r))
	}
	return out, nil
}

// logRows are the rows of normalized entries of one call, each with its id (a new one if it has
// none) and time (base + index µs if it has none).
func logRows(companyID, callID string, base time.Time, in []LogInput) []sqlcdb.CreateCallLogParams {
	rows := make([]sqlcdb.CreateCallLogParams, len(in))
	cid := callID // one copy for the rows to point to
	for i, l := range in {
		id := l.ID
		if id == "" {
			id = NewID()
		}
		at := base.Add(time.Duration(i) * time.Microsecond)
		if l.Timestamp != nil {
			at = *l.Timestamp
		}
		rows[i] = sqlcdb.CreateCallLogParams{ID: id, CompanyID: companyID, CallID: &cid, Timestamp: micros(at), Level: l.Level,
			Category: l.Category, Event: l.Event, TraceID: l.TraceID, Data: jsonText(l.Data)}
	}
	return rows
}

// insertLogRows writes log rows of one company, of one call or of many, ten rows per statement
// (CreateCallLogs10) and the rest one by one, as InsertMessageRows does with messages.
func insertLogRows(ctx context.Context, q sqlcdb.Querier, rows []sqlcdb.CreateCallLogParams) error {
	for ; len(rows) >= 10; rows = rows[10:] {
		l := rows
		err := q.CreateCallLogs10(ctx, sqlcdb.CreateCallLogs10Params{
			ID: l[0].ID, CompanyID: l[0].CompanyID, CallID: l[0].CallID, Timestamp: l[0].Timestamp, Level: l[0].Level, Category: l[0].Category, Event: l[0].Event, TraceID: l[0].TraceID, Data: l[0].Data,
			ID_2: l[1].ID, CompanyID_2: l[1].CompanyID, CallID_2: l[1].CallID, Timestamp_2: l[1].Timestamp, Level_2: l[1].Level, Category_2: l[1].Category, Event_2: l[1].Event, TraceID_2: l[1].TraceID, Data_2: l[1].Data,
			ID_3: l[2].ID, CompanyID_3: l[2].CompanyID, CallID_3: l[2].CallID, Timestamp_3: l[2].Timestamp, Level_3: l[2].Level, Category_3: l[2].Category, Event_3: l[2].Event, TraceID_3: l[2].TraceID, Data_3: l[2].Data,
			ID_4: l[3].ID, CompanyID_4: l[3].CompanyID, CallID_4: l[3].CallID, Timestamp_4: l[3].Timestamp, Level_4: l[3].Level, Category_4: l[3].Category, Event_4: l[3].Event, TraceID_4: l[3].TraceID, Data_4: l[3].Data,
			ID_5: l[4].ID, CompanyID_5: l[4].CompanyID, CallID_5: l[4].CallID, Timestamp_5: l[4].Timestamp, Level_5: l[4].Level, Category_5: l[4].Category, Event_5: l[4].Event, TraceID_5: l[4].TraceID, Data_5: l[4].Data,
			ID_6: l[5].ID, CompanyID_6: l[5].CompanyID, CallID_6: l[5].CallID, Timestamp_6: l[5].Timestamp, Level_6: l[5].Level, Category_6: l[5].Category, Event_6: l[5].Event, TraceID_6: l[5].TraceID, Data_6: l[5].Data,
			ID_7: l[6].ID, CompanyID_7: l[6].CompanyID, CallID_7: l[6].CallID, Timestamp_7: l[6].Timestamp, Level_7: l[6].Level, Category_7: l[6].Category, Event_7: l[6].Event, TraceID_7: l[6].TraceID, Data_7: l[6].Data,
			ID_8: l[7].ID, CompanyID_8: l[7].CompanyID, CallID_8: l[7].CallID, Timestamp_8: l[7].Timestamp, Level_8: l[7].Level, Category_8: l[7].Category, Event_8: l[7].Event, TraceID_8: l[7].TraceID, Data_8: l[7].Data,
			ID_9: l[8].ID, CompanyID_9: l[8].CompanyID, CallID_9: l[8].CallID, Timestamp_9: l[8].Timestamp, Level_9: l[8].Level, Category_9: l[8].Category, Event_9: l[8].Event, TraceID_9: l[8].TraceID, Data_9: l[8].Data,
			ID_10: l[9].ID, CompanyID_10: l[9].CompanyID, CallID_10: l[9].CallID, Timestamp_10: l[9].Timestamp, Level_10: l[9].Level, Category_10: l[9].Category, Event_10: l[9].Event, TraceID_10: l[9].TraceID, Data_10: l[9].Data,
		})
		if err != nil {
			return err
		}
	}
	for _, r := range rows {
		if err := q.CreateCallLog(ctx, r); err != nil {
			return err
		}
	}
	return nil
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
	if err := requireCall(ctx, s.r, p.CompanyID, callID); err != nil {
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

// LogEntry is one audit entry (the contract's CallLogResponse). CallID is null once its call is deleted.
type LogEntry struct {
	ID        string          `json:"id"`
	Timestamp time.Time       `json:"timestamp"`
	Level     string          `json:"level"`
	Category  string          `json:"category"`
	Event     string          `json:"event"`
	CallID    *string         `json:"call_id"`
	TraceID   *string         `json:"trace_id"`
	Data      json.RawMessage `json:"data"` // a JSON object, or null
	CompanyID string          `json:"-"`
}

func logFromRow(r sqlcdb.CallLog) LogEntry {
	return LogEntry{ID: r.ID, Timestamp: fromMicros(r.Timestamp), Level: r.Level, Category: r.Category, Event: r.Event,
		CallID: r.CallID, TraceID: r.TraceID, Data: rawJSON(r.Data), CompanyID: r.CompanyID}
}
