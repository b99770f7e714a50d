-- Imports: one row per import, naming the write transaction that holds everything it wrote.
-- Local (not shared, not tracked): what an import wrote is shared through that transaction's
-- change records; undo writes a new transaction that reverses them.
CREATE TABLE imports (
    id           TEXT PRIMARY KEY NOT NULL,
    tx           INTEGER NOT NULL UNIQUE REFERENCES txs(id),
    entity       TEXT NOT NULL CHECK (entity IN ('customers')),
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
