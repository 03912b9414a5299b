package store

import (
	"math"
	"slices"
	"time"
)

// PageRequest is a list request as every list endpoint takes it: cursor mode (After or Before, or
// neither for the first page) or page mode (Page >= 1), a page size and an order by
// (created date, id).
type PageRequest struct {
	After  string
	Before string
	Page   int64 // 0: cursor mode
	Limit  int64
	Desc   bool
}

// DateRange bounds created dates, both ends inclusive; nil means unbounded.
type DateRange struct {
	From, To *time.Time
}

// bounds returns the range as stored sort-key values, unbounded ends as the extreme int64 values.
func (dr DateRange) bounds() (lo, hi int64) {
	lo, hi = math.MinInt64, math.MaxInt64
	if dr.From != nil {
		lo = micros(*dr.From)
	}
	if dr.To != nil {
		hi = micros(*dr.To)
	}
	return lo, hi
}

// Cursor is the sort key of one row: (created date in microseconds, id).
type Cursor struct {
	Date int64
	ID   string
}

// Window is what one keyset query receives: the date range [Lo, Hi], the cursor whose key rows
// must follow, and an offset and limit. Unless Lookup is set, the range is already narrowed by the
// cursor. With Lookup set, only Cursor.ID is known: the query itself looks the cursor's key up
// (and narrows the range by it), and returns no rows when the id is not one of its rows.
type Window struct {
	Lo, Hi        int64
	Cursor        Cursor
	Lookup        bool
	Offset, Limit int64
}

// keyLookup says how a list finds the sort key of an after/before id. Key looks it up with a
// query of its own and fails with EINVALID for an id that is not one of the list's rows. InList
// says the list query can do the lookup itself (Window.Lookup): one statement instead of two for
// every page after the first, and Key runs only when such a page comes back empty, to tell an id
// that is not a row (an error) from the end of the list (an empty page).
type keyLookup struct {
	Key    func(id string) (Cursor, error)
	InList bool
}

// Page is one page of a list, shaped like the contract's PaginatedResponse.
type Page[T any] struct {
	Data        []T     `json:"data"`
	FirstID     *string `json:"first_id"`
	LastID      *string `json:"last_id"`
	HasMore     bool    `json:"has_more"`
	CurrentPage *int64  `json:"current_page"`
	TotalPages  *int64  `json:"total_pages"`
}

// The sentinels that stand for "before everything" and "after everything" in a keyset query.
// ids are lowercase UUID text, so "" sorts before every id and "~" after every id.
var (
	startAsc  = Cursor{Date: math.MinInt64, ID: ""}
	startDesc = Cursor{Date: math.MaxInt64, ID: "~"}
)

// The reasons of the pagination errors.
const (
	ReasonInvalidCursor   = "INVALID_CURSOR"             // after/before is not a row of the list
	ReasonBothCursors     = "PAGINATION_BOTH_CURSORS"    // after together with before
	ReasonPageWithCursor  = "PAGINATION_PAGE_AND_CURSOR" // page together with after or before
	ReasonPaginationRange = "PAGINATION_OUT_OF_RANGE"    // page or limit below 1
)

func errInvalidCursor() error {
	return Errorf(EINVALID, ReasonInvalidCursor, "the after/before id is not a row of this list")
}

// check rejects contradictory pagination parameters. paginate calls it first; a list that must look
// something up before paginating (its parent record) calls it earlier, so the answer does not depend
// on the lookup.
func (pg PageRequest) check() error {
	switch {
	case pg.After != "" && pg.Before != "":
		return Errorf(EINVALID, ReasonBothCursors, "after and before cannot be given together")
	case pg.Page != 0 && (pg.After != "" || pg.Before != ""):
		return Errorf(EINVALID, ReasonPageWithCursor, "Cannot specify 'page' together with 'before' or 'after'")
	case pg.Page < 0 || pg.Limit < 1:
		return Errorf(EINVALID, ReasonPaginationRange, "page must be >= 1 and limit >= 1")
	}
	return nil
}

// paginate runs one list request over any table that has two keyset queries (ascending and
// descending by created date, id): cursor resolves an after/before id of the caller's company to
// its sort key, list runs one of the two queries, count counts the filtered rows (page mode only).
func paginate[T any](pg PageRequest, dr DateRange, cursor keyLookup,
	list func(asc bool, w Window) ([]T, error), count func() (int64, error), idOf func(T) string) (Page[T], error) {

	if err := pg.check(); err != nil {
		return Page[T]{}, err
	}
	w := Window{Limit: pg.Limit}
	w.Lo, w.Hi = dr.bounds()
	asc := !pg.Desc
	var out Page[T]

	if pg.Page > 0 {
		total, err := count()
		if err != nil {
			return out, err
		}
		pages := (total + pg.Limit - 1) / pg.Limit
		out.CurrentPage, out.TotalPages = &pg.Page, &pages
		out.HasMore = pg.Page < pages
		if pg.Page > pages {
			out.Data = []T{}
			return out, nil
		}
		w.Offset = (pg.Page - 1) * pg.Limit
		w.Cursor = startDesc
		if asc {
			w.Cursor = startAsc
		}
		rows, err := list(asc, w)
		if err != nil {
			return out, err
		}
		out.Data = rows
		out.setEnds(idOf)
		return out, nil
	}

	// Cursor mode. Going backward (before=) runs the opposite order from the cursor and reverses.
	backward := pg.Before != ""
	qasc := asc != backward
	w.Cursor = startDesc
	if qasc {
		w.Cursor = startAsc
	}
	id := pg.After + pg.Before
	switch {
	case id != "" && cursor.InList:
		w.Cursor, w.Lookup = Cursor{ID: id}, true
	case id != "":
		c, err := cursor.Key(id)
		if err != nil {
			return out, err
		}
		w.Cursor = c
		if qasc {
			w.Lo = max(w.Lo, c.Date)
		} else {
			w.Hi = min(w.Hi, c.Date)
		}
	}
	w.Limit = pg.Limit + 1
	rows, err := list(qasc, w)
	if err != nil {
		return out, err
	}
	if len(rows) == 0 && w.Lookup {
		if _, err := cursor.Key(id); err != nil {
			return out, err
		}
	}
	if int64(len(rows)) > pg.Limit {
		out.HasMore = true
		rows = rows[:pg.Limit]
	}
	if backward {
		slices.Reverse(rows)
	}
	out.Data = rows
	out.setEnds(idOf)
	return out, nil
}

func (p *Page[T]) setEnds(idOf func(T) string) {
	if len(p.Data) == 0 {
		return
	}
	first, last := idOf(p.Data[0]), idOf(p.Data[len(p.Data)-1])
	p.FirstID, p.LastID = &first, &last
}
