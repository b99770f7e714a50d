-- Imports can bring a ticket history too (`import tickets`): the CHECK on `entity` changes, so the
-- table (local, never tracked or archived) is rebuilt with its rows.
CREATE TABLE imports_new (
    id           TEXT PRIMARY KEY NOT NULL,
    tx           INTEGER NOT NULL UNIQUE REFERENCES txs(id),
    entity       TEXT NOT NULL CHECK (entity IN ('customers', 'interactions', 'tickets')),
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
