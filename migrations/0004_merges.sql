-- Merges of duplicate customers: one row per merge, naming the write transaction that holds it
-- (local, like imports; undo reverses that transaction through its change records).
CREATE TABLE merges (
    id          TEXT PRIMARY KEY NOT NULL,
    tx          INTEGER NOT NULL UNIQUE REFERENCES txs(id),
    survivor_id TEXT NOT NULL,
    other_id    TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    undone_at   INTEGER,
    undo_tx     INTEGER REFERENCES txs(id)
) STRICT;
