-- tend-server's schema. Every table's primary key starts with workspace_id and every query filters
-- by it, so a distributed engine (Citus) can distribute every table by workspace_id and keep each
-- workspace's rows together; nothing here joins across workspaces.

CREATE TABLE workspaces (
    workspace_id TEXT NOT NULL,
    name         TEXT NOT NULL,
    -- names this database's log of the workspace: a device whose cursor names another starts over
    epoch        TEXT NOT NULL,
    -- the next sequence number: the storing transaction updates this row, and its row lock makes
    -- sequence order commit order
    next_seq     BIGINT NOT NULL DEFAULT 1,
    created_ms   BIGINT NOT NULL,
    PRIMARY KEY (workspace_id)
);

CREATE TABLE members (
    workspace_id TEXT NOT NULL,
    member_id    TEXT NOT NULL,
    email        TEXT,
    staff_id     TEXT,
    role         TEXT NOT NULL CHECK (role IN ('owner', 'manager', 'agent')),
    created_ms   BIGINT NOT NULL,
    revoked_ms   BIGINT,
    PRIMARY KEY (workspace_id, member_id)
);

CREATE TABLE devices (
    workspace_id  TEXT NOT NULL,
    device_id     TEXT NOT NULL,
    member_id     TEXT NOT NULL,
    name          TEXT NOT NULL,
    -- SHA-256 of the device token; the token itself is never stored
    token_hash    BYTEA NOT NULL,
    -- the sharing device: the clock up to which it uploads the history as it was
    history_until TEXT,
    created_ms    BIGINT NOT NULL,
    last_seen_ms  BIGINT,
    revoked_ms    BIGINT,
    PRIMARY KEY (workspace_id, device_id)
);
CREATE UNIQUE INDEX devices_token ON devices (workspace_id, token_hash);

CREATE TABLE invites (
    workspace_id TEXT NOT NULL,
    -- SHA-256 of the code; the code itself is never stored
    code_hash    BYTEA NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('owner', 'manager', 'agent')),
    email        TEXT,
    staff_id     TEXT,
    -- the owner's invite of a new workspace: its device uploads the workspace
    share        BOOLEAN NOT NULL DEFAULT FALSE,
    created_by   TEXT,
    created_ms   BIGINT NOT NULL,
    expires_ms   BIGINT NOT NULL,
    used_ms      BIGINT,
    PRIMARY KEY (workspace_id, code_hash)
);

-- Every transaction stored, as its device sent it.
CREATE TABLE txs (
    workspace_id TEXT NOT NULL,
    seq          BIGINT NOT NULL,
    device_id    TEXT NOT NULL,
    hlc          TEXT NOT NULL,
    schema       BIGINT NOT NULL,
    records      INTEGER NOT NULL,
    body         TEXT NOT NULL,
    stored_ms    BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, seq)
);
CREATE UNIQUE INDEX txs_clock ON txs (workspace_id, device_id, hlc);
