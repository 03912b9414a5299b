package store

import (
	"context"
	"strings"
	"time"

	"github.com/callstore/callstore/db/sqlcdb"
)

// Company is a tenant: every other record belongs to exactly one.
type Company struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	CreatedDate time.Time `json:"created_date"`
	// RetentionDays is how many days the company's terminal calls are kept (null: for ever); see
	// EnforceRetention.
	RetentionDays *int64 `json:"retention_days"`
}

// CreateCompany creates a company.
func (s *Store) CreateCompany(ctx context.Context, name string) (Company, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return Company{}, Errorf(EINVALID, "INVALID_NAME", "company name must not be empty")
	}
	var c Company
	err := s.inTx(ctx, func(tx *txn) error {
		row, err := tx.Q.CreateCompany(ctx, sqlcdb.CreateCompanyParams{ID: NewID(), Name: name, CreatedDate: micros(tx.Now)})
		c = companyFromRow(row)
		return err
	})
	return c, err
}

// GetCompany returns a company by id.
func (s *Store) GetCompany(ctx context.Context, id string) (Company, error) {
	row, err := s.r.GetCompany(ctx, id)
	if isNoRows(err) {
		return Company{}, Errorf(ENOTFOUND, "COMPANY_NOT_FOUND", "Company %s not found", id)
	} else if err != nil {
		return Company{}, err
	}
	return companyFromRow(row), nil
}

// ListCompanies returns every company, oldest first (for operators: the command line's list).
func (s *Store) ListCompanies(ctx context.Context) ([]Company, error) {
	rows, err := s.r.ListCompanies(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Company, len(rows))
	for i, r := range rows {
		out[i] = companyFromRow(r)
	}
	return out, nil
}

// CountCompanies returns how many companies exist.
func (s *Store) CountCompanies(ctx context.Context) (int64, error) { return s.r.CountCompanies(ctx) }

func companyFromRow(r sqlcdb.Company) Company {
	return Company{ID: r.ID, Name: r.Name, CreatedDate: fromMicros(r.CreatedDate), RetentionDays: r.RetentionDays}
}

// requireCompany returns ENOTFOUND unless the company exists.
func requireCompany(ctx context.Context, q sqlcdb.Querier, id string) error {
	if _, err := q.GetCompany(ctx, id); isNoRows(err) {
		return Errorf(ENOTFOUND, "COMPANY_NOT_FOUND", "Company %s not found", id)
	} else if err != nil {
		return err
	}
	return nil
}

// SetRetention sets how many days the company's terminal calls are kept (nil: for ever).
func (s *Store) SetRetention(ctx context.Context, companyID string, days *int64) error {
	if days != nil && *days < 1 {
		return Errorf(EINVALID, "INVALID_RETENTION", "retention must be at least 1 day, not %d", *days)
	}
	return s.inTx(ctx, func(tx *txn) error {
		n, err := tx.Q.SetCompanyRetention(ctx, sqlcdb.SetCompanyRetentionParams{RetentionDays: days, ID: companyID})
		if err == nil && n == 0 {
			err = Errorf(ENOTFOUND, "COMPANY_NOT_FOUND", "Company %s not found", companyID)
		}
		return err
	})
}

// Retention is a company's retention setting as its API shows it.
type Retention struct {
	RetentionDays *int64 `json:"retention_days"`
	// PurgesBefore is the created date before which the next enforcement purges terminal calls
	// (null when the company keeps them for ever).
	PurgesBefore *time.Time `json:"purges_before"`
}

// GetRetention returns the caller's company's retention setting.
func (s *Store) GetRetention(ctx context.Context, p Principal) (Retention, error) {
	c, err := s.GetCompany(ctx, p.CompanyID)
	if err != nil {
		return Retention{}, err
	}
	r := Retention{RetentionDays: c.RetentionDays}
	if c.RetentionDays != nil {
		t := retentionCutoff(s.now(), *c.RetentionDays)
		r.PurgesBefore = &t
	}
	return r, nil
}

func retentionCutoff(now time.Time, days int64) time.Time {
	return now.Add(-time.Duration(days) * 24 * time.Hour)
}

// RetentionRun is what one company's enforcement did.
type RetentionRun struct {
	CompanyID  string
	Cutoff     time.Time
	Deleted    DeletionCounts
	DeletionID string
}

// EnforceRetention purges, for every company with a retention period, its terminal calls created
// before now minus that period, in batches as Purge does. Each company's run leaves one audit
// record (kind retention), also when it deleted nothing. It returns what each run did; an error
// stops it (the runs before it stand, and the next enforcement resumes).
func (s *Store) EnforceRetention(ctx context.Context) ([]RetentionRun, error) {
	rows, err := s.r.ListCompaniesWithRetention(ctx)
	if err != nil {
		return nil, err
	}
	var runs []RetentionRun
	for _, c := range rows {
		cutoff := retentionCutoff(s.now(), *c.RetentionDays).Add(-time.Microsecond) // created before the cutoff
		p := Principal{CompanyID: c.ID, Credential: CredentialServer, Dialect: "server", Route: "retention"}
		res, err := s.purge(ctx, p, DeletionRetention, PurgeFilter{Created: DateRange{To: &cutoff}}, false, true, nil)
		run := RetentionRun{CompanyID: c.ID, Cutoff: cutoff.Add(time.Microsecond), Deleted: res.Deleted}
		if res.DeletionID != nil {
			run.DeletionID = *res.DeletionID
		}
		runs = append(runs, run)
		if err != nil {
			return runs, err
		}
	}
	return runs, nil
}
