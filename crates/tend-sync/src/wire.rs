//! The sync server's HTTP API, as the server and the client both read it: request and answer
//! bodies, the protocol version, and the errors the server names. Paths are under `/v1/`; every
//! call but `join` carries the device token as `Authorization: Bearer TOKEN`, and every call the
//! protocol version in the `tend-protocol` header.

use crate::access::{Refusal, Role};
use crate::protocol::RemoteTx;
use serde::{Deserialize, Serialize};

/// This build's protocol version (the `tend-protocol` header both ways). 2: transactions in
/// parts (`protocol::Part`); a server of 1 would store only the first part of each. 3: a pull's
/// cursor passes the puller's own transactions too (so a device's cursor names a point its
/// workspace holds everything up to) snapshots (`/v1/snapshot…`) and the files changes name
/// (`/v1/files…`).
pub const PROTOCOL: u32 = 3;
/// The header that carries it.
pub const PROTOCOL_HEADER: &str = "tend-protocol";

/// A device joins with an invite code and gets its token (`POST /v1/join`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinRequest {
    pub invite: String,
    /// The device's id (its workspace copy's `device_id`): the device of every transaction it
    /// pushes.
    pub device_id: String,
    /// A name people recognise (the computer's), shown in the members' list.
    pub device_name: String,
    /// The staff row this member acts as, when the invite names none (the owner sharing a
    /// workspace names their own).
    pub staff_id: Option<String>,
    /// Sharing only: the newest clock of the workspace's history, uploaded as it was.
    pub history_until: Option<String>,
    /// Whether the device means to share its workspace (an owner's invite of a new workspace)
    /// rather than join one; a code of the other kind is refused before it is spent.
    pub share: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinAnswer {
    pub workspace_id: String,
    pub workspace_name: String,
    pub member_id: String,
    pub role: Role,
    pub staff_id: Option<String>,
    /// The device token: shown once, kept in the keychain; the server keeps only its hash.
    pub token: String,
    pub epoch: String,
    /// Whether this invite shares the workspace (the owner's first device uploads it) rather
    /// than joins it (the device downloads it).
    pub share: bool,
}

/// Transactions a device sends (`POST /v1/push`), in its commit order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushRequest {
    /// The device's schema version (its migrations), kept with each transaction.
    pub schema: i64,
    pub transactions: Vec<RemoteTx>,
}

/// A transaction the server refused; nothing of it was stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejected {
    pub hlc: String,
    #[serde(flatten)]
    pub why: Refusal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushAnswer {
    /// Stored now.
    pub stored: u32,
    /// Already stored before (a retried batch).
    pub already: u32,
    pub rejected: Vec<Rejected>,
}

/// `GET /v1/pull?after=SEQ&hlc=HLC&epoch=EPOCH&limit=N&wait=SECONDS`: the transactions other
/// devices stored after sequence number `after` (whose transaction had clock `hlc`: a server
/// that has another one there was restored), at most `limit`, waiting up to `wait` seconds for
/// one when there is none yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullAnswer {
    pub epoch: String,
    pub transactions: Vec<RemoteTx>,
    /// The sequence number and clock to ask after next.
    pub cursor: Cursor,
    /// More are waiting beyond this page.
    pub more: bool,
}

/// A place in a workspace's server log: the epoch of the server's database, the sequence number
/// and the clock of the transaction there (none before the first).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Cursor {
    pub epoch: String,
    pub seq: i64,
    pub hlc: Option<String>,
}

/// `POST /v1/invites` (owners and managers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteRequest {
    pub role: Role,
    /// The staff row the new member acts as (a person of the workspace's staff).
    pub staff_id: Option<String>,
    pub email: Option<String>,
    /// Hours the code stays valid (1 to 720; 72 when absent).
    pub hours: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct InviteAnswer {
    pub invite: String,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub expires_at_ms: i64,
}

/// `GET /v1/members` (owners and managers): the members and their devices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Members {
    pub members: Vec<Member>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
// named SyncMember in the app's bindings (a helpdesk team has members too)
#[serde(rename = "SyncMember")]
pub struct Member {
    pub member_id: String,
    pub email: Option<String>,
    pub staff_id: Option<String>,
    pub role: Role,
    pub revoked: bool,
    pub devices: Vec<Device>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename = "SyncDevice")]
pub struct Device {
    pub device_id: String,
    pub name: String,
    #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
    pub last_seen_ms: Option<i64>,
    pub revoked: bool,
}

/// `POST /v1/revoke`: a device, or a member with every device of theirs (owners and managers;
/// nobody revokes an owner but an owner).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevokeRequest {
    /// A device id or a member id.
    pub id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RevokeAnswer {
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub devices: u32,
}

/// `GET /v1/status`: who this token is and where the workspace's log stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusAnswer {
    pub workspace_id: String,
    pub workspace_name: String,
    pub member_id: String,
    pub role: Role,
    pub staff_id: Option<String>,
    pub epoch: String,
    pub last_seq: i64,
}

/// A snapshot of a shared workspace: a copy of an owner's or manager's workspace file holding
/// everything the log holds up to `cursor`, compressed in chunks (zstd frames, each of at most
/// [`SNAPSHOT_CHUNK`] bytes of the file), so a joining device restores it and pulls only what
/// came after. The server keeps the newest whole one per workspace; it never reads inside it.
pub const SNAPSHOT_CHUNK: usize = 8 * 1024 * 1024;

/// `POST /v1/snapshots`: an owner's or manager's device starts uploading a snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotStart {
    /// The schema version (migrations) of the file: a device restores only its own.
    pub schema: i64,
    /// The maker's pull cursor when it copied its workspace: the copy holds everything up to it.
    pub cursor: Cursor,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotStarted {
    pub id: String,
}

/// `POST /v1/snapshots/{id}/done`, after its chunks (`PUT /v1/snapshots/{id}/{n}`, n from 0).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotDone {
    pub chunks: u32,
    /// The file's length.
    pub size: i64,
    /// The chunks' length, compressed, all told.
    pub bytes: i64,
    /// SHA-256 of the compressed chunks in order (hex).
    pub sha256: String,
}

/// The newest whole snapshot (`GET /v1/snapshot`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotInfo {
    pub id: String,
    pub schema: i64,
    pub cursor: Cursor,
    pub chunks: u32,
    pub size: i64,
    pub bytes: i64,
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotAnswer {
    pub snapshot: Option<SnapshotInfo>,
    /// Records stored after the newest snapshot (after the start with none): a managing
    /// device makes a new one when this grows.
    pub records_after: i64,
}

/// The largest file sync carries (the app's limit for an attachment).
pub const FILE_MAX: usize = 25 * 1024 * 1024;
/// At most this many hashes per `POST /v1/files/have`.
pub const FILES_ASKED: usize = 1_000;

/// `POST /v1/files/have`: of these files (SHA-256 of their content, hex), the ones the server
/// holds. A file goes up with `PUT /v1/files/{hash}` and comes down with `GET /v1/files/{hash}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilesHave {
    pub hashes: Vec<String>,
}

/// Every error answer's body: a code a program reads and a message a person reads (English; the
/// app words each code itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorCode,
    pub message: String,
    /// The device a clock guard refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    /// The server's protocol version (for `server_too_old` / `client_too_old`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_protocol: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// No token, or one the server does not know.
    Unauthorized,
    /// The token or its member was revoked.
    Revoked,
    /// The invite code is unknown, used or expired.
    InviteInvalid,
    /// The role may not do this.
    Forbidden,
    /// A transaction's clock is more than five minutes ahead of the server's.
    ClockAhead,
    /// The cursor names another epoch or a transaction the server does not have there (the
    /// server's database was restored, or replaced): start again from the beginning.
    Resync,
    /// The client speaks a newer protocol than this server.
    ServerTooOld,
    /// The client speaks a protocol this server no longer serves.
    ClientTooOld,
    /// The request is malformed (the message says what).
    BadRequest,
    NotFound,
    /// The server could not do it now (its database); try again.
    Unavailable,
}
