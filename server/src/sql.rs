//! Every SQL statement the server runs, in one place: `tests/sql_subset.rs` reads this file and
//! fails on anything outside the portable subset a PostgreSQL-compatible distributed engine runs
//! (every statement filtered by `workspace_id`, no advisory locks, `LOCK TABLE`, snapshot or
//! `xid8` functions, sequences or logical replication).

// --- workspaces
pub const WORKSPACE_CREATE: &str =
    "INSERT INTO workspaces (workspace_id, name, epoch, next_seq, created_ms) VALUES ($1, $2, $3, 1, $4)";
pub const WORKSPACE_GET: &str = "SELECT name, epoch, next_seq FROM workspaces WHERE workspace_id = $1";
/// Takes `$2` sequence numbers: the row lock it holds until commit makes sequence order commit
/// order (a second pusher waits here, then numbers after the first).
pub const WORKSPACE_TAKE_SEQ: &str =
    "UPDATE workspaces SET next_seq = next_seq + $2 WHERE workspace_id = $1 RETURNING next_seq - $2";

// --- members and devices
pub const MEMBER_CREATE: &str = "INSERT INTO members (workspace_id, member_id, email, staff_id, role, created_ms)
     VALUES ($1, $2, $3, $4, $5, $6)";
pub const MEMBER_BY_STAFF: &str = "SELECT member_id FROM members
     WHERE workspace_id = $1 AND staff_id = $2 AND revoked_ms IS NULL ORDER BY created_ms LIMIT 1";
pub const MEMBER_SET_ROLE: &str = "UPDATE members SET role = $3 WHERE workspace_id = $1 AND member_id = $2";
pub const MEMBER_GET: &str = "SELECT role, revoked_ms FROM members WHERE workspace_id = $1 AND member_id = $2";
pub const MEMBERS_LIST: &str = "SELECT member_id, email, staff_id, role, revoked_ms FROM members
     WHERE workspace_id = $1 ORDER BY created_ms, member_id";
pub const MEMBER_REVOKE: &str =
    "UPDATE members SET revoked_ms = $3 WHERE workspace_id = $1 AND member_id = $2 AND revoked_ms IS NULL";
pub const DEVICE_UPSERT: &str =
    "INSERT INTO devices (workspace_id, device_id, member_id, name, token_hash, history_until, created_ms)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (workspace_id, device_id) DO UPDATE SET member_id = EXCLUDED.member_id, name = EXCLUDED.name,
         token_hash = EXCLUDED.token_hash, history_until = EXCLUDED.history_until, revoked_ms = NULL";
/// The token's device and member: one workspace, the device joined to its member in it.
pub const DEVICE_BY_TOKEN: &str =
    "SELECT d.device_id, d.member_id, d.history_until, d.revoked_ms, d.last_seen_ms, m.role, m.staff_id, m.revoked_ms
     FROM devices d JOIN members m ON m.workspace_id = d.workspace_id AND m.member_id = d.member_id
     WHERE d.workspace_id = $1 AND d.token_hash = $2";
pub const DEVICE_SEEN: &str = "UPDATE devices SET last_seen_ms = $3 WHERE workspace_id = $1 AND device_id = $2";
pub const DEVICES_LIST: &str = "SELECT device_id, member_id, name, last_seen_ms, revoked_ms FROM devices
     WHERE workspace_id = $1 ORDER BY created_ms, device_id";
pub const DEVICE_MEMBER: &str = "SELECT member_id FROM devices WHERE workspace_id = $1 AND device_id = $2";
pub const DEVICE_REVOKE: &str =
    "UPDATE devices SET revoked_ms = $3 WHERE workspace_id = $1 AND device_id = $2 AND revoked_ms IS NULL";
pub const DEVICES_OF_MEMBER_REVOKE: &str =
    "UPDATE devices SET revoked_ms = $3 WHERE workspace_id = $1 AND member_id = $2 AND revoked_ms IS NULL";

// --- invites
pub const INVITE_CREATE: &str =
    "INSERT INTO invites (workspace_id, code_hash, role, email, staff_id, share, created_by, created_ms, expires_ms)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
pub const INVITE_GET: &str = "SELECT role, email, staff_id, share, expires_ms, used_ms FROM invites
     WHERE workspace_id = $1 AND code_hash = $2";
/// Single use: the one update that finds it unused wins.
pub const INVITE_USE: &str =
    "UPDATE invites SET used_ms = $3 WHERE workspace_id = $1 AND code_hash = $2 AND used_ms IS NULL AND expires_ms > $3";

// --- the log
pub const TXS_EXISTING: &str = "SELECT hlc, part FROM txs WHERE workspace_id = $1 AND hlc = ANY($2)";
pub const TXS_STORE: &str =
    "INSERT INTO txs (workspace_id, seq, device_id, hlc, part, schema, records, body, stored_ms)
     SELECT $1, s, d, h, p, $6, r, b, $9
     FROM UNNEST($2::BIGINT[], $3::TEXT[], $4::TEXT[], $5::INT[], $7::INT[], $8::TEXT[]) AS u(s, d, h, p, r, b)
     ON CONFLICT (workspace_id, device_id, hlc, part) DO NOTHING";
/// What a device pulls: the transactions after its cursor, in sequence order, at most `$4`; its
/// own (`$3`) only move the cursor past them (no body, no share of the page). Another device's
/// body comes only while fewer than `$5` records came before it in the page (the rest come
/// without, so the page ends there: no body is read, let alone sent, past the page).
pub const TXS_AFTER: &str = "SELECT w.seq, w.hlc, w.own, CASE WHEN w.before < $5 AND NOT w.own THEN t.body END
     FROM (SELECT workspace_id, seq, hlc, own, SUM(n) OVER (ORDER BY seq) - n AS before
           FROM (SELECT workspace_id, seq, hlc, device_id = $3 AS own,
                        CASE WHEN device_id = $3 THEN 0 ELSE records END AS n
                 FROM txs WHERE workspace_id = $1 AND seq > $2 ORDER BY seq LIMIT $4) l) w
     JOIN txs t ON t.workspace_id = w.workspace_id AND t.seq = w.seq
     ORDER BY w.seq";
pub const TX_AT: &str = "SELECT hlc FROM txs WHERE workspace_id = $1 AND seq = $2";
pub const TXS_LAST_SEQ: &str = "SELECT COALESCE(MAX(seq), 0) FROM txs WHERE workspace_id = $1";
/// Records stored after a sequence number (a snapshot's).
pub const RECORDS_AFTER: &str = "SELECT COALESCE(SUM(records), 0) FROM txs WHERE workspace_id = $1 AND seq > $2";

// --- snapshots
pub const SNAPSHOT_CREATE: &str =
    "INSERT INTO snapshots (workspace_id, snapshot_id, device_id, schema, seq, hlc, created_ms)
     VALUES ($1, $2, $3, $4, $5, $6, $7)";
/// A device's upload it left unfinished, when it starts another.
pub const SNAPSHOTS_DROP_UNFINISHED: &str =
    "DELETE FROM snapshots WHERE workspace_id = $1 AND device_id = $2 AND done_ms IS NULL";
/// The device's unfinished upload of this id.
pub const SNAPSHOT_UPLOADING: &str =
    "SELECT seq FROM snapshots WHERE workspace_id = $1 AND snapshot_id = $2 AND device_id = $3 AND done_ms IS NULL";
/// A retried chunk replaces the one stored.
pub const CHUNK_PUT: &str = "INSERT INTO snapshot_chunks (workspace_id, snapshot_id, n, body) VALUES ($1, $2, $3, $4)
     ON CONFLICT (workspace_id, snapshot_id, n) DO UPDATE SET body = EXCLUDED.body";
/// How many chunks of a snapshot are stored, their bytes and the highest number.
pub const CHUNKS_STORED: &str = "SELECT COUNT(*), COALESCE(SUM(OCTET_LENGTH(body)), 0)::BIGINT, COALESCE(MAX(n), -1)
     FROM snapshot_chunks WHERE workspace_id = $1 AND snapshot_id = $2";
pub const SNAPSHOT_DONE: &str = "UPDATE snapshots SET chunks = $3, size = $4, bytes = $5, sha256 = $6, done_ms = $7
     WHERE workspace_id = $1 AND snapshot_id = $2 AND done_ms IS NULL";
/// When one is whole: the others go (all but uploads started since `$3`).
pub const SNAPSHOTS_DROP_OTHERS: &str = "DELETE FROM snapshots
     WHERE workspace_id = $1 AND snapshot_id <> $2 AND (done_ms IS NOT NULL OR created_ms < $3)";
pub const CHUNKS_DROP_ORPHANS: &str = "DELETE FROM snapshot_chunks
     WHERE workspace_id = $1 AND snapshot_id NOT IN (SELECT snapshot_id FROM snapshots WHERE workspace_id = $1)";
pub const SNAPSHOT_NEWEST: &str = "SELECT snapshot_id, schema, seq, hlc, chunks, size, bytes, sha256 FROM snapshots
     WHERE workspace_id = $1 AND done_ms IS NOT NULL ORDER BY seq DESC, done_ms DESC LIMIT 1";
/// A chunk of a whole snapshot.
pub const CHUNK_GET: &str = "SELECT c.body FROM snapshot_chunks c
     JOIN snapshots s ON s.workspace_id = c.workspace_id AND s.snapshot_id = c.snapshot_id
     WHERE c.workspace_id = $1 AND c.snapshot_id = $2 AND c.n = $3 AND s.done_ms IS NOT NULL";

// --- files
/// A file stored once under its hash (a second upload of it changes nothing).
pub const FILE_PUT: &str = "INSERT INTO files (workspace_id, hash, body, stored_ms) VALUES ($1, $2, $3, $4)
     ON CONFLICT (workspace_id, hash) DO NOTHING";
pub const FILES_HAVE: &str = "SELECT hash FROM files WHERE workspace_id = $1 AND hash = ANY($2)";
pub const FILE_GET: &str = "SELECT body FROM files WHERE workspace_id = $1 AND hash = $2";

/// The optional wake-up of waiting pulls (on every instance); polling stays the correct path.
pub const NOTIFY: &str = "SELECT pg_notify('tend_txs', $1)";

// --- transactions
/// The first statement of a writing transaction on PostgreSQL: the counter row's lock makes
/// concurrent pushes wait their turn instead of failing (serializable would abort all but one).
pub const READ_COMMITTED: &str = "SET TRANSACTION ISOLATION LEVEL READ COMMITTED";

// --- health
pub const READY: &str = "SELECT 1";

/// Test only (`TEND_SERVER_FAULTS`): a real serialization failure or deadlock raised inside a
/// storing transaction, so the retry loop is exercised on the real database.
pub const INJECT_SERIALIZATION: &str =
    "DO $$ BEGIN RAISE EXCEPTION 'injected for a test' USING ERRCODE = 'serialization_failure'; END $$";
pub const INJECT_DEADLOCK: &str =
    "DO $$ BEGIN RAISE EXCEPTION 'injected for a test' USING ERRCODE = 'deadlock_detected'; END $$";
