//! The desktop commands, a module per domain. Each translates its arguments and errors and calls
//! the core; the shell's own work (dialogs, the restart of a restore) is in `main.rs` and `files.rs`.

pub(crate) mod backup;
pub(crate) mod care;
pub(crate) mod customers;
pub(crate) mod deals;
pub(crate) mod duplicates;
pub(crate) mod files;
pub(crate) mod import;
pub(crate) mod interactions;
pub(crate) mod reports;
pub(crate) mod segments;
pub(crate) mod settings;
pub(crate) mod staff;
pub(crate) mod sync;
pub(crate) mod tickets;
pub(crate) mod updates;
pub(crate) mod workspace;
