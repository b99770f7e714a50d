//! tend-server: relays a shared workspace's transactions between its devices. It stores each
//! transaction as its device sent it and numbers it; the merge stays on the devices (the sync
//! crate's rule), and the server applies only the sync crate's access rule. Stateless apart
//! from PostgreSQL: any number of instances serve the same workspaces.
//!
//! - [`sql`]: every statement, in the portable subset (checked by `tests/sql_subset.rs`);
//! - [`store`]: the pool, the migrations and the retry loop;
//! - [`auth`]: tokens and invite codes (only their hashes are stored);
//! - [`service`]: what each call does: join, push, pull, invite, members, revoke;
//! - [`api`]: the HTTP routes, errors, metrics and the wake-up of waiting pulls.

pub mod api;
pub mod auth;
pub mod service;
pub mod sql;
pub mod store;

use tend_sync::wire::ErrorCode;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migrations: {0}")]
    Migrate(String),
    /// An answer the caller must hear: its code, words, and the device a clock guard refused.
    #[error("{message}")]
    Refused { code: ErrorCode, message: String, device: Option<String> },
}

impl Error {
    pub fn refused(code: ErrorCode, message: impl Into<String>) -> Error {
        Error::Refused { code, message: message.into(), device: None }
    }
}

pub type Result<T> = std::result::Result<T, Error>;
