package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/callstore/callstore/store"
)

// runExport writes a company's calls as NDJSON, the bytes GET /v1/call/export answers for the same
// company and filters (both are store.Export), to stdout or to a file.
func runExport(ctx context.Context, args []string, e env) error {
	fs := newFlags("export", e)
	path := dbFlag(fs, e)
	company := fs.String("company", "", "company id (required; callstore company list shows them)")
	out := fs.String("o", "", "write to this file instead of stdout; it appears only once the export is complete")
	var f exportFilter
	f.declare(fs)
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	if err := required(fs, "company"); err != nil {
		return err
	}
	filter, err := f.filter()
	if err != nil {
		return err
	}
	if err := mustExist(*path); err != nil {
		return err
	}
	s, closeStore, err := openStore(ctx, e, *path, cliLogger(e))
	if err != nil {
		return err
	}
	defer closeStore()
	if _, err := s.GetCompany(ctx, *company); err != nil {
		return err
	}
	export := func(w io.Writer) (int64, error) {
		bw := bufio.NewWriterSize(w, 64<<10)
		n, err := s.Export(ctx, store.Principal{CompanyID: *company}, filter, func(line []byte) error {
			_, err := bw.Write(line)
			return err
		})
		if err != nil {
			return n, err
		}
		return n, bw.Flush()
	}
	var n int64
	if *out == "" {
		n, err = export(e.stdout)
	} else {
		n, err = exportToFile(*out, export)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "exported %d call(s) of company %s\n", n, *company)
	return nil
}

// exportToFile writes an export into a new file next to path and renames it to path once the
// export is complete and on disk, so that path never holds half an export.
func exportToFile(path string, export func(io.Writer) (int64, error)) (int64, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return 0, err
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	n, err := export(tmp)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	return n, err
}

// exportFilter holds the export's filter flags, named as the call list's query parameters.
type exportFilter struct {
	status, typ, agent, contact, phone, start, end string
}

func (f *exportFilter) declare(fs *flag.FlagSet) {
	fs.StringVar(&f.status, "status", "", "only calls in this status: "+strings.Join(store.CallStatuses, ", "))
	fs.StringVar(&f.typ, "type", "", "only calls of this type: "+strings.Join(store.CallTypes, ", "))
	fs.StringVar(&f.agent, "agent_id", "", "only calls of this agent (UUID)")
	fs.StringVar(&f.contact, "contact_id", "", "only calls of this contact (UUID)")
	fs.StringVar(&f.phone, "phone_id", "", "only calls of this phone (UUID)")
	fs.StringVar(&f.start, "start_created_date", "", "only calls created at or after this RFC 3339 date-time")
	fs.StringVar(&f.end, "end_created_date", "", "only calls created at or before this RFC 3339 date-time")
}

// filter checks the flags and returns the store's filter.
func (f *exportFilter) filter() (store.CallFilter, error) {
	var out store.CallFilter
	var err error
	oneOf := func(name, v string, values []string) *string {
		if v == "" || err != nil {
			return nil
		}
		if !slices.Contains(values, v) {
			err = fmt.Errorf("-%s must be one of %s, not %q", name, strings.Join(values, ", "), v)
		}
		return &v
	}
	id := func(name, v string) *string {
		if v == "" || err != nil {
			return nil
		}
		u, perr := uuid.Parse(v)
		if perr != nil {
			err = fmt.Errorf("-%s must be a UUID, not %q", name, v)
		}
		s := u.String()
		return &s
	}
	at := func(name, v string) *time.Time {
		if v == "" || err != nil {
			return nil
		}
		t, perr := time.Parse(time.RFC3339Nano, v)
		if perr != nil {
			err = fmt.Errorf("-%s must be an RFC 3339 date-time such as 2026-01-01T00:00:00Z, not %q", name, v)
		}
		return &t
	}
	out.Status = oneOf("status", f.status, store.CallStatuses)
	out.Type = oneOf("type", f.typ, store.CallTypes)
	out.AgentID = id("agent_id", f.agent)
	out.ContactID = id("contact_id", f.contact)
	out.PhoneID = id("phone_id", f.phone)
	out.Created = store.DateRange{From: at("start_created_date", f.start), To: at("end_created_date", f.end)}
	return out, err
}
