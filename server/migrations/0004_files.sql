-- The files changes name (a ticket message's attachments), each once per workspace under the
-- SHA-256 of its content, as a device sent it: another device fetches it by that name.
CREATE TABLE files (
    workspace_id TEXT NOT NULL,
    hash         TEXT NOT NULL,
    body         BYTEA NOT NULL,
    stored_ms    BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, hash)
);
