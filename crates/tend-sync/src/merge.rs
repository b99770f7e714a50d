//! The merge rule. **A workspace's shared state is a function of the set of transactions it has
//! received, whatever their order and however often each arrived:**
//!
//! - every record has a [`Clock`]: its transaction's stamp, then its place in the transaction;
//! - a field's value is that of the newest record that set it (last writer wins, per field); an
//!   insert sets every tracked column at its clock (absent means empty), so the same row id
//!   inserted on two devices merges field by field;
//! - a set for a row not yet here is kept and takes effect when (and if) the row arrives;
//! - delete and restore are fields (`deleted_at`); a purge is a tombstone that wins over every
//!   edit of the row, earlier or later;
//! - a row is shown when it was inserted, is not purged, and every row it names (its parents in
//!   the registry) is shown: a row waits for a parent that has not arrived and goes with a
//!   parent that was purged;
//! - records of a table or column this build does not know are kept, and count once a build
//!   knows them.
//!
//! [`Replica`] runs the rule in memory: the property tests' model, and the reference the core's
//! SQLite merge is held to. [`wins`] and [`shown`] are the decisions both take.

use crate::protocol::{FieldValue, RecordOp, RemoteTx};
use crate::registry::{self, Table};
use crate::stamp::Stamp;
use std::collections::{BTreeMap, BTreeSet};

/// A record's place in the order of all records: its transaction's clock, then its place in the
/// transaction (a later record of one transaction wins over an earlier one).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Clock {
    pub stamp: Stamp,
    pub index: u32,
}

/// Whether a record at `incoming` replaces the value set at `current` (None: nothing set it).
pub fn wins(incoming: &Clock, current: Option<&Clock>) -> bool {
    current.is_none_or(|c| incoming > c)
}

/// Whether a row is shown: inserted, not purged, and each of its parents shown.
pub fn shown(inserted: bool, purged: bool, parents_shown: impl IntoIterator<Item = bool>) -> bool {
    inserted && !purged && parents_shown.into_iter().all(|p| p)
}

/// What a replica knows of one row: each field's newest value and clock, whether an insert of
/// it arrived, and its tombstone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RowState {
    pub fields: BTreeMap<String, (Clock, FieldValue)>,
    pub inserted: bool,
    pub purged: bool,
}

impl RowState {
    fn set(&mut self, column: &str, clock: &Clock, value: &FieldValue) {
        let current = self.fields.get(column).map(|(c, _)| c);
        if wins(clock, current) {
            self.fields.insert(column.to_string(), (clock.clone(), value.clone()));
        }
    }

    /// Takes one record in. `columns` are the tracked columns of the row's table as this build
    /// knows them (an insert sets each; absent ones to empty).
    pub fn apply(&mut self, columns: &[&str], clock: &Clock, op: &RecordOp) {
        match op {
            RecordOp::Purge => self.purged = true,
            RecordOp::Set { column, value } => self.set(column, clock, value),
            RecordOp::Insert { values } => {
                self.inserted = true;
                for c in columns {
                    if !values.iter().any(|(n, _)| n == c) {
                        self.set(c, clock, &FieldValue::Null);
                    }
                }
                for (c, v) in values {
                    self.set(c, clock, v);
                }
            }
        }
    }

    /// The value of `column` now (empty when nothing set it).
    pub fn value(&self, column: &str) -> FieldValue {
        self.fields.get(column).map(|(_, v)| v.clone()).unwrap_or(FieldValue::Null)
    }
}

/// A row as shown: its tracked columns' values.
pub type Row = BTreeMap<&'static str, FieldValue>;

/// The merge rule in memory: the transactions received and what they say of every row.
#[derive(Debug, Clone, Default)]
pub struct Replica {
    received: BTreeSet<String>,
    rows: BTreeMap<(String, String), RowState>,
}

impl Replica {
    /// Takes a transaction in; false when it was already here (nothing changes).
    pub fn apply(&mut self, tx: &RemoteTx) -> crate::Result<bool> {
        let stamp = Stamp::parse(&tx.hlc).ok_or_else(|| crate::Error::BadStamp(tx.hlc.clone()))?;
        if !self.received.insert(tx.hlc.clone()) {
            return Ok(false);
        }
        for (i, r) in tx.records.iter().enumerate() {
            let clock = Clock { stamp: stamp.clone(), index: i as u32 };
            let columns = registry::by_name(&r.table).map(|t| t.columns).unwrap_or(&[]);
            self.rows.entry((r.table.clone(), r.row_id.clone())).or_default().apply(columns, &clock, &r.op);
        }
        Ok(true)
    }

    /// Whether `hlc` was received.
    pub fn has(&self, hlc: &str) -> bool {
        self.received.contains(hlc)
    }

    /// What is known of a row (shown or not).
    pub fn row(&self, table: &str, row_id: &str) -> Option<&RowState> {
        self.rows.get(&(table.to_string(), row_id.to_string()))
    }

    /// Whether a row of a known table is shown.
    pub fn is_shown(&self, table: &Table, row_id: &str) -> bool {
        self.shown_memo(table, row_id, &mut BTreeMap::new())
    }

    fn shown_memo(&self, table: &Table, row_id: &str, memo: &mut BTreeMap<(String, String), bool>) -> bool {
        let key = (table.name.to_string(), row_id.to_string());
        if let Some(v) = memo.get(&key) {
            return *v;
        }
        let v = match self.rows.get(&key) {
            None => false,
            Some(s) => {
                let parents: Vec<bool> = table
                    .parents
                    .iter()
                    .map(|(col, parent)| {
                        let value = match table.keys.iter().position(|k| k == col) {
                            Some(i) => table.key_values(row_id).ok().and_then(|k| k.get(i).map(|v| v.to_string())),
                            None => s.value(col).as_text().map(str::to_string),
                        };
                        match (value, registry::by_name(parent)) {
                            (Some(v), Some(p)) => self.shown_memo(p, &v, memo),
                            _ => true, // an empty reference names no row
                        }
                    })
                    .collect();
                shown(s.inserted, s.purged, parents)
            }
        };
        memo.insert(key, v);
        v
    }

    /// Every row shown, of every table this build knows, with its tracked columns.
    pub fn shown_rows(&self) -> BTreeMap<(&'static str, String), Row> {
        let mut memo = BTreeMap::new();
        let mut out = BTreeMap::new();
        for ((table, row_id), state) in &self.rows {
            let Some(t) = registry::by_name(table) else { continue };
            if self.shown_memo(t, row_id, &mut memo) {
                out.insert((t.name, row_id.clone()), t.columns.iter().map(|c| (*c, state.value(c))).collect());
            }
        }
        out
    }
}
