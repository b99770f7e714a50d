-- Tend workspace schema, version 1.
-- Shared tables (synced later) carry UUIDv7 text ids and are change-tracked by the triggers at the
-- bottom of this file: every INSERT/UPDATE/DELETE writes one change row per changed column, stamped
-- with the transaction's hybrid logical clock from `write_ctx`. A write without a context aborts.
-- Local tables (meta, derived search indexes) are not shared and not tracked.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) STRICT;

-- One row exists only inside a write transaction (see src/db.rs: WriteTx).
CREATE TABLE write_ctx (
    one INTEGER PRIMARY KEY CHECK (one = 1),
    tx  INTEGER NOT NULL
) STRICT;

-- One row per write transaction: who, where, when (HLC).
CREATE TABLE txs (
    id     INTEGER PRIMARY KEY,
    hlc    TEXT NOT NULL UNIQUE,
    at_ms  INTEGER NOT NULL,
    actor  TEXT,
    device TEXT NOT NULL
) STRICT;

-- One row per changed column. `entity_id` is the record the change belongs to in history
-- (the customer for a contact, a custom value or an interaction).
CREATE TABLE changes (
    tx        INTEGER NOT NULL REFERENCES txs(id),
    tbl       TEXT NOT NULL,
    row_id    TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    col       TEXT NOT NULL,
    value     ANY
) STRICT;
CREATE INDEX changes_entity ON changes(entity_id, tx);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE staff (
    id         TEXT PRIMARY KEY NOT NULL,
    name       TEXT NOT NULL,
    email      TEXT,
    role       TEXT NOT NULL CHECK (role IN ('owner', 'manager', 'agent')),
    created_at INTEGER NOT NULL,
    deleted_at INTEGER
) STRICT;

CREATE TABLE stages (
    id         TEXT PRIMARY KEY NOT NULL,
    name       TEXT,            -- NULL for built-in stages: the UI shows the translated key
    position   INTEGER NOT NULL,
    deleted_at INTEGER
) STRICT;

INSERT INTO stages (id, name, position) VALUES
    ('lead', NULL, 10), ('prospect', NULL, 20), ('customer', NULL, 30),
    ('loyal', NULL, 40), ('churned', NULL, 50), ('negative', NULL, 60);

CREATE TABLE custom_fields (
    id         TEXT PRIMARY KEY NOT NULL,
    key        TEXT NOT NULL,
    label      TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('text', 'number', 'date', 'select', 'checkbox')),
    options    TEXT NOT NULL DEFAULT '[]',
    required   INTEGER NOT NULL DEFAULT 0,
    position   INTEGER NOT NULL,
    deleted_at INTEGER
) STRICT;
CREATE UNIQUE INDEX custom_fields_key ON custom_fields(key) WHERE deleted_at IS NULL;

CREATE TABLE customers (
    seq              INTEGER PRIMARY KEY,   -- local rowid for the search index; never synced
    id               TEXT NOT NULL UNIQUE,
    kind             TEXT NOT NULL CHECK (kind IN ('person', 'company')),
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
    updated_at       INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX customers_name ON customers(name_folded, seq) WHERE deleted_at IS NULL;
CREATE INDEX customers_stage ON customers(stage_id, name_folded) WHERE deleted_at IS NULL;
CREATE INDEX customers_owner ON customers(owner_id, name_folded) WHERE deleted_at IS NULL;
CREATE INDEX customers_province ON customers(province, name_folded) WHERE deleted_at IS NULL;
CREATE INDEX customers_tax ON customers(tax_code) WHERE tax_code IS NOT NULL;
CREATE INDEX customers_deleted ON customers(deleted_at) WHERE deleted_at IS NOT NULL;

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
CREATE INDEX contacts_customer ON contacts(customer_id);

CREATE TABLE custom_values (
    customer_id TEXT NOT NULL REFERENCES customers(id),
    field_id    TEXT NOT NULL REFERENCES custom_fields(id),
    value       TEXT,
    PRIMARY KEY (customer_id, field_id)
) STRICT;

CREATE TABLE interactions (
    id          TEXT PRIMARY KEY NOT NULL,
    customer_id TEXT NOT NULL REFERENCES customers(id),
    kind        TEXT NOT NULL CHECK (kind IN ('call', 'email', 'meeting', 'chat', 'note', 'purchase')),
    channel     TEXT NOT NULL CHECK (channel IN ('phone', 'email', 'website', 'facebook', 'zalo', 'in_person', 'other')),
    direction   TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound', 'internal')),
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
CREATE INDEX interactions_customer ON interactions(customer_id, occurred_at);

-- Derived local search indexes, rebuilt from the tables above by src/search.rs.
CREATE VIRTUAL TABLE customer_fts USING fts5(
    name, body,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '1 2 3 4'
);
CREATE VIRTUAL TABLE phone_fts USING fts5(
    digits,
    content = '', contentless_delete = 1,
    tokenize = 'trigram'
);
-- Normalised identity keys for duplicate detection: 'p:+84912345678', 'e:an@x.vn', 't:0101234567'.
CREATE TABLE customer_keys (
    key          TEXT NOT NULL,
    customer_seq INTEGER NOT NULL,
    PRIMARY KEY (key, customer_seq)
) STRICT, WITHOUT ROWID;
CREATE TABLE customer_tags (
    customer_seq INTEGER NOT NULL,
    tag          TEXT NOT NULL,
    PRIMARY KEY (tag, customer_seq)
) STRICT, WITHOUT ROWID;
CREATE INDEX customer_tags_seq ON customer_tags(customer_seq);
CREATE INDEX customer_keys_seq ON customer_keys(customer_seq);
