//! What devices exchange: a transaction as its device wrote it (its clock, actor, device) with its
//! records in names, never in this build's codes, so any version reads any other's.

use serde::{Deserialize, Serialize};

/// One field's value as a change carries it between devices.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FieldValue {
    Null,
    Int(i64),
    Text(String),
}

impl FieldValue {
    /// A value as SQLite's JSON functions give it (a bool is 0 or 1, a number too big for i64
    /// or not whole keeps its text).
    pub fn from_json(v: &serde_json::Value) -> FieldValue {
        match v {
            serde_json::Value::Null => FieldValue::Null,
            serde_json::Value::Number(n) => n.as_i64().map(FieldValue::Int).unwrap_or(FieldValue::Text(n.to_string())),
            serde_json::Value::String(s) => FieldValue::Text(s.clone()),
            serde_json::Value::Bool(b) => FieldValue::Int(i64::from(*b)),
            other => FieldValue::Text(other.to_string()),
        }
    }

    pub fn to_json(&self) -> serde_json::Value {
        match self {
            FieldValue::Null => serde_json::Value::Null,
            FieldValue::Int(i) => (*i).into(),
            FieldValue::Text(s) => s.clone().into(),
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, FieldValue::Null)
    }

    pub fn as_text(&self) -> Option<&str> {
        match self {
            FieldValue::Text(s) => Some(s),
            _ => None,
        }
    }
}

/// What one record did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum RecordOp {
    /// A new row: every tracked column at the transaction's clock (absent means empty).
    Insert { values: Vec<(String, FieldValue)> },
    /// One column set to a value.
    Set { column: String, value: FieldValue },
    /// The row deleted for good: a tombstone that wins over every edit of the row.
    Purge,
}

/// One record: a row of a table (by its row id: the key, or two key columns joined by `/`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoteRecord {
    pub table: String,
    pub row_id: String,
    #[serde(flatten)]
    pub op: RecordOp,
}

/// A transaction as a device wrote it: its own clock, actor and device, and its records in the
/// order written (within one transaction a later record wins over an earlier one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoteTx {
    pub hlc: String,
    pub at_ms: i64,
    pub actor: Option<String>,
    pub device: String,
    pub records: Vec<RemoteRecord>,
}
