-- +goose Up
-- The call counters' triggers say OR ROLLBACK. Inside an explicit transaction, SQLite keeps a
-- statement journal (a copy of every page a statement touches, so that the statement alone can be
-- undone) for a statement that may fail half way and must then leave the transaction going. The
-- counter's UPDATE could, in principle, fail its NOT NULL check half way through a bulk delete;
-- with OR ROLLBACK such a failure ends the whole transaction instead, so a bulk delete no longer
-- needs that journal. (It cannot fail: calls - 1 of a count is never NULL.) Measured in
-- docs/performance.md.
DROP TRIGGER calls_count_delete;
DROP TRIGGER calls_count_insert;

-- +goose StatementBegin
CREATE TRIGGER calls_count_insert AFTER INSERT ON calls
BEGIN
    UPDATE OR ROLLBACK company_call_counts SET calls = calls + 1 WHERE company_id = NEW.company_id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER calls_count_delete AFTER DELETE ON calls
BEGIN
    UPDATE OR ROLLBACK company_call_counts SET calls = calls - 1 WHERE company_id = OLD.company_id;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER calls_count_delete;
DROP TRIGGER calls_count_insert;

-- +goose StatementBegin
CREATE TRIGGER calls_count_insert AFTER INSERT ON calls
BEGIN
    UPDATE company_call_counts SET calls = calls + 1 WHERE company_id = NEW.company_id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER calls_count_delete AFTER DELETE ON calls
BEGIN
    UPDATE company_call_counts SET calls = calls - 1 WHERE company_id = OLD.company_id;
END;
-- +goose StatementEnd
