-- Change log v2 (DESIGN rule 1): an insert is ONE record holding every initial field under one
-- clock; an update is one record per changed column; a purge is one record. Table and column
-- names are small integer codes (change_tables, change_columns: fixed by
-- scripts/gen-change-triggers.py, never reused); `entity` is stored only when the record belongs
-- to another record in history (a contact's customer). Records of the old format (one row per
-- column, names as text) are converted in place below; src/archive.rs runs the same conversion
-- on an archive made by schema 5.
--
--   col  0  insert: value = JSONB array, element i = column code i + 1 (null when empty)
--   col  n  update of column n: value = the new value
--   col -1  purge (the row was deleted for good): value NULL

CREATE TABLE change_tables (
    code INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
) STRICT;
CREATE TABLE change_columns (
    tbl  INTEGER NOT NULL REFERENCES change_tables(code),
    code INTEGER NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (tbl, code),
    UNIQUE (tbl, name)
) STRICT, WITHOUT ROWID;

INSERT INTO change_tables (code, name) VALUES
    (1, 'settings'),
    (2, 'staff'),
    (3, 'stages'),
    (4, 'custom_fields'),
    (5, 'customers'),
    (6, 'contacts'),
    (7, 'custom_values'),
    (8, 'interactions');
INSERT INTO change_columns (tbl, code, name) VALUES
    (1, 1, 'value'),
    (2, 1, 'name'),
    (2, 2, 'email'),
    (2, 3, 'role'),
    (2, 4, 'created_at'),
    (2, 5, 'deleted_at'),
    (3, 1, 'name'),
    (3, 2, 'position'),
    (3, 3, 'deleted_at'),
    (4, 1, 'key'),
    (4, 2, 'label'),
    (4, 3, 'kind'),
    (4, 4, 'options'),
    (4, 5, 'required'),
    (4, 6, 'position'),
    (4, 7, 'deleted_at'),
    (5, 1, 'kind'),
    (5, 2, 'name'),
    (5, 3, 'family_name'),
    (5, 4, 'middle_name'),
    (5, 5, 'given_name'),
    (5, 6, 'phones'),
    (5, 7, 'emails'),
    (5, 8, 'street'),
    (5, 9, 'ward'),
    (5, 10, 'district'),
    (5, 11, 'province'),
    (5, 12, 'tax_code'),
    (5, 13, 'source'),
    (5, 14, 'owner_id'),
    (5, 15, 'stage_id'),
    (5, 16, 'tags'),
    (5, 17, 'birthday'),
    (5, 18, 'gender'),
    (5, 19, 'expected_revenue'),
    (5, 20, 'currency'),
    (5, 21, 'notes'),
    (5, 22, 'external_id'),
    (5, 23, 'created_at'),
    (5, 24, 'deleted_at'),
    (6, 1, 'customer_id'),
    (6, 2, 'name'),
    (6, 3, 'role'),
    (6, 4, 'phone'),
    (6, 5, 'email'),
    (6, 6, 'is_decision_maker'),
    (6, 7, 'created_at'),
    (6, 8, 'deleted_at'),
    (7, 1, 'value'),
    (8, 1, 'customer_id'),
    (8, 2, 'kind'),
    (8, 3, 'channel'),
    (8, 4, 'direction'),
    (8, 5, 'staff_id'),
    (8, 6, 'occurred_at'),
    (8, 7, 'summary'),
    (8, 8, 'body'),
    (8, 9, 'amount'),
    (8, 10, 'currency'),
    (8, 11, 'items'),
    (8, 12, 'created_at'),
    (8, 13, 'deleted_at');

-- the old triggers write the old format: gone before the table is renamed
DROP TRIGGER settings_changes_insert;
DROP TRIGGER settings_changes_update;
DROP TRIGGER settings_changes_delete;
DROP TRIGGER staff_changes_insert;
DROP TRIGGER staff_changes_update;
DROP TRIGGER staff_changes_delete;
DROP TRIGGER stages_changes_insert;
DROP TRIGGER stages_changes_update;
DROP TRIGGER stages_changes_delete;
DROP TRIGGER custom_fields_changes_insert;
DROP TRIGGER custom_fields_changes_update;
DROP TRIGGER custom_fields_changes_delete;
DROP TRIGGER customers_changes_insert;
DROP TRIGGER customers_changes_update;
DROP TRIGGER customers_changes_delete;
DROP TRIGGER contacts_changes_insert;
DROP TRIGGER contacts_changes_update;
DROP TRIGGER contacts_changes_delete;
DROP TRIGGER custom_values_changes_insert;
DROP TRIGGER custom_values_changes_update;
DROP TRIGGER custom_values_changes_delete;
DROP TRIGGER interactions_changes_insert;
DROP TRIGGER interactions_changes_update;
DROP TRIGGER interactions_changes_delete;

DROP INDEX changes_entity;
ALTER TABLE changes RENAME TO changes_v1;

CREATE TABLE changes (
    tx     INTEGER NOT NULL REFERENCES txs(id),
    tbl    INTEGER NOT NULL,
    row_id TEXT NOT NULL,
    col    INTEGER NOT NULL,
    value  ANY,
    entity TEXT
) STRICT;

-- BEGIN convert v1: changes_v1 (tx, tbl, row_id, entity_id, col, value) -> changes
-- A row's insert is its first write (or its first after a purge): every column that write
-- recorded goes into one insert record (the first value of each column; a second write of the
-- same column in that transaction stays an update record). The built-in stages were there before
-- the log began: their first write is an update.
CREATE INDEX changes_v1_write ON changes_v1(tx, tbl, row_id, col);
CREATE TABLE changes_v1_writes AS
SELECT tx, tbl, row_id, MIN(rowid) AS first, MAX(col = '__purged') AS purged, MAX(col <> '__purged') AS valued
FROM changes_v1 GROUP BY tx, tbl, row_id;
CREATE TABLE changes_v1_inserts AS
SELECT tx, tbl, row_id, first FROM (
    SELECT w.*, LAG(w.purged, 1, 1) OVER (PARTITION BY w.tbl, w.row_id ORDER BY w.tx) AS fresh
    FROM changes_v1_writes w)
WHERE fresh = 1 AND valued = 1
  AND NOT (tbl = 'stages' AND row_id IN ('lead', 'prospect', 'customer', 'loyal', 'churned', 'negative'));
CREATE TABLE changes_v1_in_insert AS
SELECT MIN(o.rowid) AS rid, o.tx, o.tbl, o.row_id, o.col
FROM changes_v1 o JOIN changes_v1_inserts i ON i.tx = o.tx AND i.tbl = o.tbl AND i.row_id = o.row_id
WHERE o.col <> '__purged' GROUP BY o.tx, o.tbl, o.row_id, o.col;
CREATE UNIQUE INDEX changes_v1_in_insert_rid ON changes_v1_in_insert(rid);
CREATE INDEX changes_v1_in_insert_col ON changes_v1_in_insert(tx, tbl, row_id, col);
-- a name the dictionary does not know leaves a NULL code, which NOT NULL refuses: nothing is
-- dropped silently
INSERT INTO changes (tx, tbl, row_id, col, value, entity)
SELECT tx, tbl, row_id, col, value, entity FROM (
    SELECT i.first AS ord, i.tx, t.code AS tbl, i.row_id, 0 AS col,
           (SELECT jsonb_group_array(o.value ORDER BY k.code) FROM change_columns k
              LEFT JOIN changes_v1_in_insert f
                ON f.tx = i.tx AND f.tbl = i.tbl AND f.row_id = i.row_id AND f.col = k.name
              LEFT JOIN changes_v1 o ON o.rowid = f.rid
            WHERE k.tbl = t.code) AS value,
           (SELECT NULLIF(o.entity_id, o.row_id) FROM changes_v1 o WHERE o.rowid = i.first) AS entity
    FROM changes_v1_inserts i LEFT JOIN change_tables t ON t.name = i.tbl
    UNION ALL
    SELECT o.rowid, o.tx, t.code, o.row_id, CASE WHEN o.col = '__purged' THEN -1 ELSE k.code END,
           CASE WHEN o.col = '__purged' THEN NULL ELSE o.value END, NULLIF(o.entity_id, o.row_id)
    FROM changes_v1 o LEFT JOIN change_tables t ON t.name = o.tbl
    LEFT JOIN change_columns k ON k.tbl = t.code AND k.name = o.col
    WHERE o.rowid NOT IN (SELECT rid FROM changes_v1_in_insert)
) ORDER BY ord;
DROP TABLE changes_v1_in_insert;
DROP TABLE changes_v1_inserts;
DROP TABLE changes_v1_writes;
DROP TABLE changes_v1;
-- END convert v1

-- Values from a newer version: a kind, role, channel or direction this build does not know may
-- arrive in a synced change. The shared tables keep no CHECK on such values (this build's write
-- path only writes values it knows; src/changelog.rs applies a remote one as it came, and readers
-- show it as "from a newer version"). SQLite cannot drop a CHECK in place: the tables are rebuilt,
-- the children (which reference customers and custom_fields) with them so their references stay.
ALTER TABLE contacts RENAME TO contacts_old;
ALTER TABLE custom_values RENAME TO custom_values_old;
ALTER TABLE interactions RENAME TO interactions_old;
ALTER TABLE customers RENAME TO customers_old;
ALTER TABLE custom_fields RENAME TO custom_fields_old;
ALTER TABLE staff RENAME TO staff_old;

CREATE TABLE staff (
    id         TEXT PRIMARY KEY NOT NULL,
    name       TEXT NOT NULL,
    email      TEXT,
    role       TEXT NOT NULL,               -- owner, manager, agent (or one from a newer version)
    created_at INTEGER NOT NULL,
    deleted_at INTEGER
) STRICT;
CREATE TABLE custom_fields (
    id         TEXT PRIMARY KEY NOT NULL,
    key        TEXT NOT NULL,
    label      TEXT NOT NULL,
    kind       TEXT NOT NULL,               -- text, number, date, select, checkbox (or newer)
    options    TEXT NOT NULL DEFAULT '[]',
    required   INTEGER NOT NULL DEFAULT 0,
    position   INTEGER NOT NULL,
    deleted_at INTEGER
) STRICT;
CREATE TABLE customers (
    seq              INTEGER PRIMARY KEY,   -- local rowid for the search index; never synced
    id               TEXT NOT NULL UNIQUE,
    kind             TEXT NOT NULL,         -- person, company (or one from a newer version)
    name             TEXT NOT NULL,
    family_name      TEXT,
    middle_name      TEXT,
    given_name       TEXT,
    phones           TEXT NOT NULL DEFAULT '[]',  -- JSON [{label, number(E.164)}]
    emails           TEXT NOT NULL DEFAULT '[]',  -- JSON [{label, address}]
    street           TEXT,
    ward             TEXT,
    district         TEXT,
    province         TEXT,
    tax_code         TEXT,
    source           TEXT,
    owner_id         TEXT,
    stage_id         TEXT,
    tags             TEXT NOT NULL DEFAULT '[]',  -- JSON ["tag"]
    birthday         TEXT,                        -- YYYY-MM-DD
    gender           TEXT,
    expected_revenue INTEGER,                     -- minor units of `currency`
    currency         TEXT,
    notes            TEXT,
    created_at       INTEGER NOT NULL,
    deleted_at       INTEGER,
    -- derived, local (not tracked):
    name_folded      TEXT NOT NULL DEFAULT '',
    updated_at       INTEGER NOT NULL DEFAULT 0,
    external_id      TEXT
) STRICT;
CREATE TABLE contacts (
    id                TEXT PRIMARY KEY NOT NULL,
    customer_id       TEXT NOT NULL REFERENCES customers(id),
    name              TEXT NOT NULL,
    role              TEXT,
    phone             TEXT,
    email             TEXT,
    is_decision_maker INTEGER NOT NULL DEFAULT 0,
    created_at        INTEGER NOT NULL,
    deleted_at        INTEGER
) STRICT;
CREATE TABLE custom_values (
    customer_id TEXT NOT NULL REFERENCES customers(id),
    field_id    TEXT NOT NULL REFERENCES custom_fields(id),
    value       TEXT,
    PRIMARY KEY (customer_id, field_id)
) STRICT;
CREATE TABLE interactions (
    id          TEXT PRIMARY KEY NOT NULL,
    customer_id TEXT NOT NULL REFERENCES customers(id),
    kind        TEXT NOT NULL,   -- call, email, meeting, chat, note, purchase (or newer)
    channel     TEXT NOT NULL,   -- phone, email, website, facebook, zalo, in_person, other (or newer)
    direction   TEXT NOT NULL,   -- inbound, outbound, internal (or newer)
    staff_id    TEXT,
    occurred_at INTEGER NOT NULL,
    summary     TEXT NOT NULL,
    body        TEXT,
    amount      INTEGER,
    currency    TEXT,
    items       TEXT NOT NULL DEFAULT '[]',   -- JSON [{name, quantity, unit_price}]
    created_at  INTEGER NOT NULL,
    deleted_at  INTEGER
) STRICT;

INSERT INTO staff SELECT * FROM staff_old;
INSERT INTO custom_fields SELECT * FROM custom_fields_old;
INSERT INTO customers SELECT * FROM customers_old;
INSERT INTO contacts SELECT * FROM contacts_old;
INSERT INTO custom_values SELECT * FROM custom_values_old;
INSERT INTO interactions SELECT * FROM interactions_old;
DROP TABLE contacts_old;
DROP TABLE custom_values_old;
DROP TABLE interactions_old;
DROP TABLE customers_old;
DROP TABLE custom_fields_old;
DROP TABLE staff_old;

CREATE UNIQUE INDEX custom_fields_key ON custom_fields(key) WHERE deleted_at IS NULL;
CREATE INDEX customers_name ON customers(name_folded, seq) WHERE deleted_at IS NULL;
CREATE INDEX customers_stage ON customers(stage_id, name_folded) WHERE deleted_at IS NULL;
CREATE INDEX customers_owner ON customers(owner_id, name_folded) WHERE deleted_at IS NULL;
CREATE INDEX customers_province ON customers(province, name_folded) WHERE deleted_at IS NULL;
CREATE INDEX customers_tax ON customers(tax_code) WHERE tax_code IS NOT NULL;
CREATE INDEX customers_deleted ON customers(deleted_at) WHERE deleted_at IS NOT NULL;
CREATE INDEX contacts_customer ON contacts(customer_id);
CREATE INDEX interactions_customer ON interactions(customer_id, occurred_at);

-- the clock of any (table, row, column)'s current value (last writer wins), a row's history,
-- undo's "written since?"
CREATE INDEX changes_row ON changes(tbl, row_id, col, tx);
-- a transaction's records (undo, sync's push)
CREATE INDEX changes_tx ON changes(tx);
-- a customer's history and timeline: its contacts', values' and interactions' records
CREATE INDEX changes_entity ON changes(entity, tx) WHERE entity IS NOT NULL;

-- Generated by scripts/gen-change-triggers.py: the triggers of the v2 log.

CREATE TRIGGER settings_changes_insert AFTER INSERT ON settings BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 1, NEW.key, 0, jsonb_array(NEW.value), 'settings' FROM write_ctx w;
END;

CREATE TRIGGER settings_changes_update AFTER UPDATE OF value ON settings BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 1, NEW.key, c.col, c.val, 'settings' FROM write_ctx w, (
        SELECT 1 AS col, NEW.value AS val, NEW.value IS NOT OLD.value AS chg
    ) c WHERE c.chg;
END;

CREATE TRIGGER settings_changes_delete AFTER DELETE ON settings BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 1, OLD.key, -1, NULL, 'settings' FROM write_ctx w;
END;

CREATE TRIGGER staff_changes_insert AFTER INSERT ON staff BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 2, NEW.id, 0, jsonb_array(NEW.name, NEW.email, NEW.role, NEW.created_at, NEW.deleted_at), NULL FROM write_ctx w;
END;

CREATE TRIGGER staff_changes_update AFTER UPDATE OF name, email, role, created_at, deleted_at ON staff BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 2, NEW.id, c.col, c.val, NULL FROM write_ctx w, (
        SELECT 1 AS col, NEW.name AS val, NEW.name IS NOT OLD.name AS chg
        UNION ALL SELECT 2 AS col, NEW.email AS val, NEW.email IS NOT OLD.email AS chg
        UNION ALL SELECT 3 AS col, NEW.role AS val, NEW.role IS NOT OLD.role AS chg
        UNION ALL SELECT 4 AS col, NEW.created_at AS val, NEW.created_at IS NOT OLD.created_at AS chg
        UNION ALL SELECT 5 AS col, NEW.deleted_at AS val, NEW.deleted_at IS NOT OLD.deleted_at AS chg
    ) c WHERE c.chg;
END;

CREATE TRIGGER staff_changes_delete AFTER DELETE ON staff BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 2, OLD.id, -1, NULL, NULL FROM write_ctx w;
END;

CREATE TRIGGER stages_changes_insert AFTER INSERT ON stages BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 3, NEW.id, 0, jsonb_array(NEW.name, NEW.position, NEW.deleted_at), NULL FROM write_ctx w;
END;

CREATE TRIGGER stages_changes_update AFTER UPDATE OF name, position, deleted_at ON stages BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 3, NEW.id, c.col, c.val, NULL FROM write_ctx w, (
        SELECT 1 AS col, NEW.name AS val, NEW.name IS NOT OLD.name AS chg
        UNION ALL SELECT 2 AS col, NEW.position AS val, NEW.position IS NOT OLD.position AS chg
        UNION ALL SELECT 3 AS col, NEW.deleted_at AS val, NEW.deleted_at IS NOT OLD.deleted_at AS chg
    ) c WHERE c.chg;
END;

CREATE TRIGGER stages_changes_delete AFTER DELETE ON stages BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 3, OLD.id, -1, NULL, NULL FROM write_ctx w;
END;

CREATE TRIGGER custom_fields_changes_insert AFTER INSERT ON custom_fields BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 4, NEW.id, 0, jsonb_array(NEW.key, NEW.label, NEW.kind, NEW.options, NEW.required, NEW.position, NEW.deleted_at), NULL FROM write_ctx w;
END;

CREATE TRIGGER custom_fields_changes_update AFTER UPDATE OF key, label, kind, options, required, position, deleted_at ON custom_fields BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 4, NEW.id, c.col, c.val, NULL FROM write_ctx w, (
        SELECT 1 AS col, NEW.key AS val, NEW.key IS NOT OLD.key AS chg
        UNION ALL SELECT 2 AS col, NEW.label AS val, NEW.label IS NOT OLD.label AS chg
        UNION ALL SELECT 3 AS col, NEW.kind AS val, NEW.kind IS NOT OLD.kind AS chg
        UNION ALL SELECT 4 AS col, NEW.options AS val, NEW.options IS NOT OLD.options AS chg
        UNION ALL SELECT 5 AS col, NEW.required AS val, NEW.required IS NOT OLD.required AS chg
        UNION ALL SELECT 6 AS col, NEW.position AS val, NEW.position IS NOT OLD.position AS chg
        UNION ALL SELECT 7 AS col, NEW.deleted_at AS val, NEW.deleted_at IS NOT OLD.deleted_at AS chg
    ) c WHERE c.chg;
END;

CREATE TRIGGER custom_fields_changes_delete AFTER DELETE ON custom_fields BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 4, OLD.id, -1, NULL, NULL FROM write_ctx w;
END;

CREATE TRIGGER customers_changes_insert AFTER INSERT ON customers BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 5, NEW.id, 0, jsonb_array(NEW.kind, NEW.name, NEW.family_name, NEW.middle_name, NEW.given_name, NEW.phones, NEW.emails, NEW.street, NEW.ward, NEW.district, NEW.province, NEW.tax_code, NEW.source, NEW.owner_id, NEW.stage_id, NEW.tags, NEW.birthday, NEW.gender, NEW.expected_revenue, NEW.currency, NEW.notes, NEW.external_id, NEW.created_at, NEW.deleted_at), NULL FROM write_ctx w;
END;

CREATE TRIGGER customers_changes_update AFTER UPDATE OF kind, name, family_name, middle_name, given_name, phones, emails, street, ward, district, province, tax_code, source, owner_id, stage_id, tags, birthday, gender, expected_revenue, currency, notes, external_id, created_at, deleted_at ON customers BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 5, NEW.id, c.col, c.val, NULL FROM write_ctx w, (
        SELECT 1 AS col, NEW.kind AS val, NEW.kind IS NOT OLD.kind AS chg
        UNION ALL SELECT 2 AS col, NEW.name AS val, NEW.name IS NOT OLD.name AS chg
        UNION ALL SELECT 3 AS col, NEW.family_name AS val, NEW.family_name IS NOT OLD.family_name AS chg
        UNION ALL SELECT 4 AS col, NEW.middle_name AS val, NEW.middle_name IS NOT OLD.middle_name AS chg
        UNION ALL SELECT 5 AS col, NEW.given_name AS val, NEW.given_name IS NOT OLD.given_name AS chg
        UNION ALL SELECT 6 AS col, NEW.phones AS val, NEW.phones IS NOT OLD.phones AS chg
        UNION ALL SELECT 7 AS col, NEW.emails AS val, NEW.emails IS NOT OLD.emails AS chg
        UNION ALL SELECT 8 AS col, NEW.street AS val, NEW.street IS NOT OLD.street AS chg
        UNION ALL SELECT 9 AS col, NEW.ward AS val, NEW.ward IS NOT OLD.ward AS chg
        UNION ALL SELECT 10 AS col, NEW.district AS val, NEW.district IS NOT OLD.district AS chg
        UNION ALL SELECT 11 AS col, NEW.province AS val, NEW.province IS NOT OLD.province AS chg
        UNION ALL SELECT 12 AS col, NEW.tax_code AS val, NEW.tax_code IS NOT OLD.tax_code AS chg
        UNION ALL SELECT 13 AS col, NEW.source AS val, NEW.source IS NOT OLD.source AS chg
        UNION ALL SELECT 14 AS col, NEW.owner_id AS val, NEW.owner_id IS NOT OLD.owner_id AS chg
        UNION ALL SELECT 15 AS col, NEW.stage_id AS val, NEW.stage_id IS NOT OLD.stage_id AS chg
        UNION ALL SELECT 16 AS col, NEW.tags AS val, NEW.tags IS NOT OLD.tags AS chg
        UNION ALL SELECT 17 AS col, NEW.birthday AS val, NEW.birthday IS NOT OLD.birthday AS chg
        UNION ALL SELECT 18 AS col, NEW.gender AS val, NEW.gender IS NOT OLD.gender AS chg
        UNION ALL SELECT 19 AS col, NEW.expected_revenue AS val, NEW.expected_revenue IS NOT OLD.expected_revenue AS chg
        UNION ALL SELECT 20 AS col, NEW.currency AS val, NEW.currency IS NOT OLD.currency AS chg
        UNION ALL SELECT 21 AS col, NEW.notes AS val, NEW.notes IS NOT OLD.notes AS chg
        UNION ALL SELECT 22 AS col, NEW.external_id AS val, NEW.external_id IS NOT OLD.external_id AS chg
        UNION ALL SELECT 23 AS col, NEW.created_at AS val, NEW.created_at IS NOT OLD.created_at AS chg
        UNION ALL SELECT 24 AS col, NEW.deleted_at AS val, NEW.deleted_at IS NOT OLD.deleted_at AS chg
    ) c WHERE c.chg;
END;

CREATE TRIGGER customers_changes_delete AFTER DELETE ON customers BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 5, OLD.id, -1, NULL, NULL FROM write_ctx w;
END;

CREATE TRIGGER contacts_changes_insert AFTER INSERT ON contacts BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 6, NEW.id, 0, jsonb_array(NEW.customer_id, NEW.name, NEW.role, NEW.phone, NEW.email, NEW.is_decision_maker, NEW.created_at, NEW.deleted_at), NEW.customer_id FROM write_ctx w;
END;

CREATE TRIGGER contacts_changes_update AFTER UPDATE OF customer_id, name, role, phone, email, is_decision_maker, created_at, deleted_at ON contacts BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 6, NEW.id, c.col, c.val, NEW.customer_id FROM write_ctx w, (
        SELECT 1 AS col, NEW.customer_id AS val, NEW.customer_id IS NOT OLD.customer_id AS chg
        UNION ALL SELECT 2 AS col, NEW.name AS val, NEW.name IS NOT OLD.name AS chg
        UNION ALL SELECT 3 AS col, NEW.role AS val, NEW.role IS NOT OLD.role AS chg
        UNION ALL SELECT 4 AS col, NEW.phone AS val, NEW.phone IS NOT OLD.phone AS chg
        UNION ALL SELECT 5 AS col, NEW.email AS val, NEW.email IS NOT OLD.email AS chg
        UNION ALL SELECT 6 AS col, NEW.is_decision_maker AS val, NEW.is_decision_maker IS NOT OLD.is_decision_maker AS chg
        UNION ALL SELECT 7 AS col, NEW.created_at AS val, NEW.created_at IS NOT OLD.created_at AS chg
        UNION ALL SELECT 8 AS col, NEW.deleted_at AS val, NEW.deleted_at IS NOT OLD.deleted_at AS chg
    ) c WHERE c.chg;
END;

CREATE TRIGGER contacts_changes_delete AFTER DELETE ON contacts BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 6, OLD.id, -1, NULL, OLD.customer_id FROM write_ctx w;
END;

CREATE TRIGGER custom_values_changes_insert AFTER INSERT ON custom_values BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 7, NEW.customer_id || '/' || NEW.field_id, 0, jsonb_array(NEW.value), NEW.customer_id FROM write_ctx w;
END;

CREATE TRIGGER custom_values_changes_update AFTER UPDATE OF value ON custom_values BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 7, NEW.customer_id || '/' || NEW.field_id, c.col, c.val, NEW.customer_id FROM write_ctx w, (
        SELECT 1 AS col, NEW.value AS val, NEW.value IS NOT OLD.value AS chg
    ) c WHERE c.chg;
END;

CREATE TRIGGER custom_values_changes_delete AFTER DELETE ON custom_values BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 7, OLD.customer_id || '/' || OLD.field_id, -1, NULL, OLD.customer_id FROM write_ctx w;
END;

CREATE TRIGGER interactions_changes_insert AFTER INSERT ON interactions BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 8, NEW.id, 0, jsonb_array(NEW.customer_id, NEW.kind, NEW.channel, NEW.direction, NEW.staff_id, NEW.occurred_at, NEW.summary, NEW.body, NEW.amount, NEW.currency, NEW.items, NEW.created_at, NEW.deleted_at), NEW.customer_id FROM write_ctx w;
END;

CREATE TRIGGER interactions_changes_update AFTER UPDATE OF customer_id, kind, channel, direction, staff_id, occurred_at, summary, body, amount, currency, items, created_at, deleted_at ON interactions BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 8, NEW.id, c.col, c.val, NEW.customer_id FROM write_ctx w, (
        SELECT 1 AS col, NEW.customer_id AS val, NEW.customer_id IS NOT OLD.customer_id AS chg
        UNION ALL SELECT 2 AS col, NEW.kind AS val, NEW.kind IS NOT OLD.kind AS chg
        UNION ALL SELECT 3 AS col, NEW.channel AS val, NEW.channel IS NOT OLD.channel AS chg
        UNION ALL SELECT 4 AS col, NEW.direction AS val, NEW.direction IS NOT OLD.direction AS chg
        UNION ALL SELECT 5 AS col, NEW.staff_id AS val, NEW.staff_id IS NOT OLD.staff_id AS chg
        UNION ALL SELECT 6 AS col, NEW.occurred_at AS val, NEW.occurred_at IS NOT OLD.occurred_at AS chg
        UNION ALL SELECT 7 AS col, NEW.summary AS val, NEW.summary IS NOT OLD.summary AS chg
        UNION ALL SELECT 8 AS col, NEW.body AS val, NEW.body IS NOT OLD.body AS chg
        UNION ALL SELECT 9 AS col, NEW.amount AS val, NEW.amount IS NOT OLD.amount AS chg
        UNION ALL SELECT 10 AS col, NEW.currency AS val, NEW.currency IS NOT OLD.currency AS chg
        UNION ALL SELECT 11 AS col, NEW.items AS val, NEW.items IS NOT OLD.items AS chg
        UNION ALL SELECT 12 AS col, NEW.created_at AS val, NEW.created_at IS NOT OLD.created_at AS chg
        UNION ALL SELECT 13 AS col, NEW.deleted_at AS val, NEW.deleted_at IS NOT OLD.deleted_at AS chg
    ) c WHERE c.chg;
END;

CREATE TRIGGER interactions_changes_delete AFTER DELETE ON interactions BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 8, OLD.id, -1, NULL, OLD.customer_id FROM write_ctx w;
END;

