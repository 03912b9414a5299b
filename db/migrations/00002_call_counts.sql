-- +goose Up
-- Page mode answers total_pages; counting a company's calls through an index costs a walk over
-- all of them (tens of milliseconds at a million). Keep the unfiltered count per company in a row,
-- maintained by triggers, so it is one lookup. Filtered counts still walk their (narrower) indexes.
CREATE TABLE company_call_counts (
    company_id TEXT PRIMARY KEY NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    calls      INTEGER NOT NULL DEFAULT 0
);

INSERT INTO company_call_counts (company_id, calls)
SELECT companies.id, (SELECT count(*) FROM calls WHERE calls.company_id = companies.id)
FROM companies;

-- +goose StatementBegin
CREATE TRIGGER companies_count_row AFTER INSERT ON companies
BEGIN
    INSERT INTO company_call_counts (company_id, calls) VALUES (NEW.id, 0);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER calls_count_insert AFTER INSERT ON calls
BEGIN
    UPDATE company_call_counts SET calls = calls + 1 WHERE company_id = NEW.company_id;
END;
-- +goose StatementEnd

-- Fires for direct deletes and for rows removed by the ON DELETE CASCADE from contacts.
-- +goose StatementBegin
CREATE TRIGGER calls_count_delete AFTER DELETE ON calls
BEGIN
    UPDATE company_call_counts SET calls = calls - 1 WHERE company_id = OLD.company_id;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER calls_count_delete;
DROP TRIGGER calls_count_insert;
DROP TRIGGER companies_count_row;
DROP TABLE company_call_counts;
