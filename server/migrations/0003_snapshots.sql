-- Snapshots: a managing device's copy of its workspace holding everything up to a cursor, so a
-- joining device restores it and pulls only what came after. Stored as the device sent it, in
-- compressed chunks; the server never reads inside one. A workspace keeps its newest whole one
-- (and the one being uploaded).
CREATE TABLE snapshots (
    workspace_id TEXT NOT NULL,
    snapshot_id  TEXT NOT NULL,
    device_id    TEXT NOT NULL,
    schema       BIGINT NOT NULL,
    -- the cursor the copy holds everything up to
    seq          BIGINT NOT NULL,
    hlc          TEXT,
    chunks       INTEGER,
    size         BIGINT,
    bytes        BIGINT,
    sha256       TEXT,
    created_ms   BIGINT NOT NULL,
    -- set once every chunk is stored
    done_ms      BIGINT,
    PRIMARY KEY (workspace_id, snapshot_id)
);

CREATE TABLE snapshot_chunks (
    workspace_id TEXT NOT NULL,
    snapshot_id  TEXT NOT NULL,
    n            INTEGER NOT NULL,
    body         BYTEA NOT NULL,
    PRIMARY KEY (workspace_id, snapshot_id, n)
);
-- already compressed: stored out of line as it is, never compressed again
ALTER TABLE snapshot_chunks ALTER COLUMN body SET STORAGE EXTERNAL;
