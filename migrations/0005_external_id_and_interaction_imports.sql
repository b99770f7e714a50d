-- Customers get the code another system gave them ("Mã KH" in a POS or an old spreadsheet), so
-- files from that system (purchases, calls) can name the customer by it; tracked like every column.
ALTER TABLE customers ADD COLUMN external_id TEXT;

-- Imports can bring interactions and purchases too (the CHECK changes: the table is rebuilt).
CREATE TABLE imports_new (
    id           TEXT PRIMARY KEY NOT NULL,
    tx           INTEGER NOT NULL UNIQUE REFERENCES txs(id),
    entity       TEXT NOT NULL CHECK (entity IN ('customers', 'interactions')),
    source_name  TEXT NOT NULL,
    format       TEXT NOT NULL,
    on_duplicate TEXT NOT NULL CHECK (on_duplicate IN ('skip', 'merge', 'create')),
    imported     INTEGER NOT NULL,
    merged       INTEGER NOT NULL,
    skipped      INTEGER NOT NULL,
    failed       INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    undone_at    INTEGER,
    undo_tx      INTEGER REFERENCES txs(id)
) STRICT;
INSERT INTO imports_new SELECT * FROM imports;
DROP TABLE imports;
ALTER TABLE imports_new RENAME TO imports;


DROP TRIGGER customers_changes_insert;
CREATE TRIGGER customers_changes_insert AFTER INSERT ON customers BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, entity_id, col, value)
    SELECT w.tx, 'customers', NEW.id, NEW.id, c.col, c.val FROM write_ctx w, (
        SELECT 'kind' AS col, NEW.kind AS val, NEW.kind IS NOT NULL AS chg
        UNION ALL SELECT 'name' AS col, NEW.name AS val, NEW.name IS NOT NULL AS chg
        UNION ALL SELECT 'family_name' AS col, NEW.family_name AS val, NEW.family_name IS NOT NULL AS chg
        UNION ALL SELECT 'middle_name' AS col, NEW.middle_name AS val, NEW.middle_name IS NOT NULL AS chg
        UNION ALL SELECT 'given_name' AS col, NEW.given_name AS val, NEW.given_name IS NOT NULL AS chg
        UNION ALL SELECT 'phones' AS col, NEW.phones AS val, NEW.phones IS NOT NULL AS chg
        UNION ALL SELECT 'emails' AS col, NEW.emails AS val, NEW.emails IS NOT NULL AS chg
        UNION ALL SELECT 'street' AS col, NEW.street AS val, NEW.street IS NOT NULL AS chg
        UNION ALL SELECT 'ward' AS col, NEW.ward AS val, NEW.ward IS NOT NULL AS chg
        UNION ALL SELECT 'district' AS col, NEW.district AS val, NEW.district IS NOT NULL AS chg
        UNION ALL SELECT 'province' AS col, NEW.province AS val, NEW.province IS NOT NULL AS chg
        UNION ALL SELECT 'tax_code' AS col, NEW.tax_code AS val, NEW.tax_code IS NOT NULL AS chg
        UNION ALL SELECT 'source' AS col, NEW.source AS val, NEW.source IS NOT NULL AS chg
        UNION ALL SELECT 'owner_id' AS col, NEW.owner_id AS val, NEW.owner_id IS NOT NULL AS chg
        UNION ALL SELECT 'stage_id' AS col, NEW.stage_id AS val, NEW.stage_id IS NOT NULL AS chg
        UNION ALL SELECT 'tags' AS col, NEW.tags AS val, NEW.tags IS NOT NULL AS chg
        UNION ALL SELECT 'birthday' AS col, NEW.birthday AS val, NEW.birthday IS NOT NULL AS chg
        UNION ALL SELECT 'gender' AS col, NEW.gender AS val, NEW.gender IS NOT NULL AS chg
        UNION ALL SELECT 'expected_revenue' AS col, NEW.expected_revenue AS val, NEW.expected_revenue IS NOT NULL AS chg
        UNION ALL SELECT 'currency' AS col, NEW.currency AS val, NEW.currency IS NOT NULL AS chg
        UNION ALL SELECT 'notes' AS col, NEW.notes AS val, NEW.notes IS NOT NULL AS chg
        UNION ALL SELECT 'external_id' AS col, NEW.external_id AS val, NEW.external_id IS NOT NULL AS chg
        UNION ALL SELECT 'created_at' AS col, NEW.created_at AS val, NEW.created_at IS NOT NULL AS chg
        UNION ALL SELECT 'deleted_at' AS col, NEW.deleted_at AS val, NEW.deleted_at IS NOT NULL AS chg
    ) c WHERE c.chg;
END;

DROP TRIGGER customers_changes_update;
CREATE TRIGGER customers_changes_update AFTER UPDATE OF kind, name, family_name, middle_name, given_name, phones, emails, street, ward, district, province, tax_code, source, owner_id, stage_id, tags, birthday, gender, expected_revenue, currency, notes, external_id, created_at, deleted_at ON customers BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, entity_id, col, value)
    SELECT w.tx, 'customers', NEW.id, NEW.id, c.col, c.val FROM write_ctx w, (
        SELECT 'kind' AS col, NEW.kind AS val, NEW.kind IS NOT OLD.kind AS chg
        UNION ALL SELECT 'name' AS col, NEW.name AS val, NEW.name IS NOT OLD.name AS chg
        UNION ALL SELECT 'family_name' AS col, NEW.family_name AS val, NEW.family_name IS NOT OLD.family_name AS chg
        UNION ALL SELECT 'middle_name' AS col, NEW.middle_name AS val, NEW.middle_name IS NOT OLD.middle_name AS chg
        UNION ALL SELECT 'given_name' AS col, NEW.given_name AS val, NEW.given_name IS NOT OLD.given_name AS chg
        UNION ALL SELECT 'phones' AS col, NEW.phones AS val, NEW.phones IS NOT OLD.phones AS chg
        UNION ALL SELECT 'emails' AS col, NEW.emails AS val, NEW.emails IS NOT OLD.emails AS chg
        UNION ALL SELECT 'street' AS col, NEW.street AS val, NEW.street IS NOT OLD.street AS chg
        UNION ALL SELECT 'ward' AS col, NEW.ward AS val, NEW.ward IS NOT OLD.ward AS chg
        UNION ALL SELECT 'district' AS col, NEW.district AS val, NEW.district IS NOT OLD.district AS chg
        UNION ALL SELECT 'province' AS col, NEW.province AS val, NEW.province IS NOT OLD.province AS chg
        UNION ALL SELECT 'tax_code' AS col, NEW.tax_code AS val, NEW.tax_code IS NOT OLD.tax_code AS chg
        UNION ALL SELECT 'source' AS col, NEW.source AS val, NEW.source IS NOT OLD.source AS chg
        UNION ALL SELECT 'owner_id' AS col, NEW.owner_id AS val, NEW.owner_id IS NOT OLD.owner_id AS chg
        UNION ALL SELECT 'stage_id' AS col, NEW.stage_id AS val, NEW.stage_id IS NOT OLD.stage_id AS chg
        UNION ALL SELECT 'tags' AS col, NEW.tags AS val, NEW.tags IS NOT OLD.tags AS chg
        UNION ALL SELECT 'birthday' AS col, NEW.birthday AS val, NEW.birthday IS NOT OLD.birthday AS chg
        UNION ALL SELECT 'gender' AS col, NEW.gender AS val, NEW.gender IS NOT OLD.gender AS chg
        UNION ALL SELECT 'expected_revenue' AS col, NEW.expected_revenue AS val, NEW.expected_revenue IS NOT OLD.expected_revenue AS chg
        UNION ALL SELECT 'currency' AS col, NEW.currency AS val, NEW.currency IS NOT OLD.currency AS chg
        UNION ALL SELECT 'notes' AS col, NEW.notes AS val, NEW.notes IS NOT OLD.notes AS chg
        UNION ALL SELECT 'external_id' AS col, NEW.external_id AS val, NEW.external_id IS NOT OLD.external_id AS chg
        UNION ALL SELECT 'created_at' AS col, NEW.created_at AS val, NEW.created_at IS NOT OLD.created_at AS chg
        UNION ALL SELECT 'deleted_at' AS col, NEW.deleted_at AS val, NEW.deleted_at IS NOT OLD.deleted_at AS chg
    ) c WHERE c.chg;
END;

DROP TRIGGER customers_changes_delete;
CREATE TRIGGER customers_changes_delete AFTER DELETE ON customers BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, entity_id, col, value)
    SELECT w.tx, 'customers', OLD.id, OLD.id, '__purged', 1 FROM write_ctx w;
END;
