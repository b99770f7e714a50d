//! Tend's sync rules, as pure Rust: no database, no runtime, no UI. The core (the app and the
//! CLI) and the server both use this crate; nobody carries a copy of its rules.
//!
//! - [`stamp`]: the hybrid logical clock and its stamps, which order every change;
//! - [`protocol`]: what devices exchange (a transaction of records, in names);
//! - [`registry`]: every tracked table, its columns and its policies: the one list;
//! - [`merge`]: the merge rule, a pure function of the set of transactions received, and
//!   [`merge::Replica`], the rule run in memory (the property tests' model);
//! - [`access`]: who may write what in a shared workspace (the server's check and the app's);
//! - [`wire`]: the sync server's HTTP API, for the server and its clients.

pub mod access;
pub mod merge;
pub mod protocol;
pub mod registry;
pub mod stamp;
pub mod wire;

pub use merge::{Clock, Replica, RowState};
pub use protocol::{FieldValue, RecordOp, RemoteRecord, RemoteTx};
pub use registry::{Table, TABLES};
pub use stamp::{Hlc, Stamp, COUNTER_MAX, MAX_AHEAD_MS};

/// What the sync rules refuse.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Error {
    /// Not a clock value (`{ms:013}:{counter:05}:{device}`).
    #[error("not a clock value: {0:?}")]
    BadStamp(String),
    /// A clock more than [`MAX_AHEAD_MS`] ahead of this device's wall clock.
    #[error("a clock {ahead_ms} ms ahead of this device's")]
    ClockAhead { ahead_ms: i64 },
    /// A row id that does not name a row of its table (a two-column key needs `a/b`).
    #[error("row id {row_id:?} does not name a row of {table}")]
    BadRowId { table: String, row_id: String },
}

pub type Result<T> = std::result::Result<T, Error>;
