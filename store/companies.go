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
	return Company{ID: r.ID, Name: r.Name, CreatedDate: fromMicros(r.CreatedDate)}
}

// requireCompany returns ENOTFOUND unless the company exists.
func requireCompany(ctx context.Context, q *sqlcdb.Queries, id string) error {
	if _, err := q.GetCompany(ctx, id); isNoRows(err) {
		return Errorf(ENOTFOUND, "COMPANY_NOT_FOUND", "Company %s not found", id)
	} else if err != nil {
		return err
	}
	return nil
}
