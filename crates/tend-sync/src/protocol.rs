//! What devices exchange: a transaction as its device wrote it (its clock, actor, device) with its
//! records in names, never in this build's codes, so any version reads any other's.

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

/// One field's value as a change carries it between devices: JSON null, an integer or a string
/// (read by hand: serde's untagged enums buffer every value first, and a download reads
/// millions).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
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

impl<'de> Deserialize<'de> for FieldValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = FieldValue;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("null, an integer or a string")
            }
            fn visit_unit<E: de::Error>(self) -> Result<FieldValue, E> {
                Ok(FieldValue::Null)
            }
            fn visit_none<E: de::Error>(self) -> Result<FieldValue, E> {
                Ok(FieldValue::Null)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<FieldValue, D::Error> {
                FieldValue::deserialize(d)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<FieldValue, E> {
                Ok(FieldValue::Int(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<FieldValue, E> {
                i64::try_from(v).map(FieldValue::Int).map_err(|_| E::custom(format!("integer {v} out of range")))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<FieldValue, E> {
                Ok(FieldValue::Text(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<FieldValue, E> {
                Ok(FieldValue::Text(v))
            }
        }
        d.deserialize_any(V)
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
/// On the wire one flat object: `{"table", "row_id", "op": "insert"|"set"|"purge", "values"}`
/// or `"column", "value"` (read by hand: serde's flatten buffers every record first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RemoteRecord {
    pub table: String,
    pub row_id: String,
    #[serde(flatten)]
    pub op: RecordOp,
}

impl RemoteRecord {
    /// The files this record names (the SHA-256 of each, as its table's `files` column lists
    /// them): what a device sends before the record and fetches after it.
    pub fn file_hashes(&self) -> Vec<String> {
        let Some(column) = crate::registry::by_name(&self.table).and_then(|t| t.files) else {
            return Vec::new();
        };
        let value = match &self.op {
            RecordOp::Insert { values } => values.iter().find(|(c, _)| c == column).map(|(_, v)| v),
            RecordOp::Set { column: c, value } if c == column => Some(value),
            _ => None,
        };
        let Some(FieldValue::Text(json)) = value else {
            return Vec::new();
        };
        let listed: Vec<serde_json::Value> = serde_json::from_str(json).unwrap_or_default();
        listed
            .iter()
            .filter_map(|f| f.get("hash").and_then(|h| h.as_str()))
            .filter(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
            .map(str::to_string)
            .collect()
    }
}

impl<'de> Deserialize<'de> for RemoteRecord {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RemoteRecord;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a record: table, row_id, op and its values")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RemoteRecord, A::Error> {
                let (mut table, mut row_id, mut op, mut values, mut column, mut value) =
                    (None, None, None::<String>, None, None, None);
                #[derive(Deserialize)]
                #[serde(field_identifier, rename_all = "snake_case")]
                enum Field {
                    Table,
                    RowId,
                    Op,
                    Values,
                    Column,
                    Value,
                    #[serde(other)]
                    Other,
                }
                while let Some(key) = map.next_key::<Field>()? {
                    match key {
                        Field::Table => table = Some(map.next_value::<String>()?),
                        Field::RowId => row_id = Some(map.next_value::<String>()?),
                        Field::Op => op = Some(map.next_value::<String>()?),
                        Field::Values => values = Some(map.next_value::<Vec<(String, FieldValue)>>()?),
                        Field::Column => column = Some(map.next_value::<String>()?),
                        Field::Value => value = Some(map.next_value::<FieldValue>()?),
                        Field::Other => {
                            map.next_value::<de::IgnoredAny>()?;
                        }
                    }
                }
                let table = table.ok_or_else(|| de::Error::missing_field("table"))?;
                let row_id = row_id.ok_or_else(|| de::Error::missing_field("row_id"))?;
                let op = match op.as_deref() {
                    Some("insert") => {
                        RecordOp::Insert { values: values.ok_or_else(|| de::Error::missing_field("values"))? }
                    }
                    Some("set") => RecordOp::Set {
                        column: column.ok_or_else(|| de::Error::missing_field("column"))?,
                        value: value.ok_or_else(|| de::Error::missing_field("value"))?,
                    },
                    Some("purge") => RecordOp::Purge,
                    Some(other) => return Err(de::Error::unknown_variant(other, &["insert", "set", "purge"])),
                    None => return Err(de::Error::missing_field("op")),
                };
                Ok(RemoteRecord { table, row_id, op })
            }
        }
        d.deserialize_map(V)
    }
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
    /// Set when a big transaction travels in parts (sync): which part this is. Parts go and
    /// come in order; each is stored and applied as it arrives, under the one clock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part: Option<Part>,
}

/// One part of a transaction sent in parts of at most [`PART_RECORDS`] records each (so memory
/// stays flat on every side, whatever a transaction's size: an import of a million rows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Part {
    /// From 0.
    pub index: u32,
    pub count: u32,
}

/// The most records one transaction, or one part of it, carries on the wire.
pub const PART_RECORDS: usize = 5_000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_read_back_as_written_and_bad_ones_are_named() {
        let records = vec![
            RemoteRecord {
                table: "customers".into(),
                row_id: "c1".into(),
                op: RecordOp::Insert {
                    values: vec![
                        ("name".into(), FieldValue::Text("Nguyễn \"Dũng\"".into())),
                        ("seq".into(), FieldValue::Int(-7)),
                        ("notes".into(), FieldValue::Null),
                    ],
                },
            },
            RemoteRecord {
                table: "customers".into(),
                row_id: "c1".into(),
                op: RecordOp::Set { column: "notes".into(), value: FieldValue::Null },
            },
            RemoteRecord { table: "deals".into(), row_id: "d1".into(), op: RecordOp::Purge },
        ];
        let json = serde_json::to_string(&records).unwrap();
        assert_eq!(serde_json::from_str::<Vec<RemoteRecord>>(&json).unwrap(), records);
        // keys in any order, unknown ones skipped (a newer build's)
        let r: RemoteRecord =
            serde_json::from_str(r#"{"value":3,"later":{"x":1},"op":"set","column":"n","row_id":"r","table":"t"}"#)
                .unwrap();
        assert_eq!(r.op, RecordOp::Set { column: "n".into(), value: FieldValue::Int(3) });
        for (bad, says) in [
            (r#"{"table":"t","row_id":"r","op":"set","column":"n"}"#, "missing field `value`"),
            (r#"{"table":"t","row_id":"r","op":"drop"}"#, "unknown variant `drop`"),
            (r#"{"table":"t","op":"purge"}"#, "missing field `row_id`"),
            (r#"{"table":"t","row_id":"r","op":"set","column":"n","value":1.5}"#, "null, an integer or a string"),
            (r#"{"table":"t","row_id":"r","op":"set","column":"n","value":18446744073709551615}"#, "out of range"),
        ] {
            let e = serde_json::from_str::<RemoteRecord>(bad).unwrap_err().to_string();
            assert!(e.contains(says), "{bad}: {e}");
        }
    }

    #[test]
    fn a_record_names_the_files_of_its_tables_files_column() {
        let h1 = "a".repeat(64);
        let h2 = format!("{}0", "b".repeat(63));
        let list = format!(
            r#"[{{"name":"hoa don.pdf","hash":"{h1}","size":3,"mime":"application/pdf"}},{{"hash":"{h2}"}},{{"hash":"../etc"}}]"#
        );
        let insert = RemoteRecord {
            table: "ticket_messages".into(),
            row_id: "m1".into(),
            op: RecordOp::Insert {
                values: vec![
                    ("body".into(), FieldValue::Text(list.clone())),
                    ("attachments".into(), FieldValue::Text(list.clone())),
                ],
            },
        };
        assert_eq!(insert.file_hashes(), vec![h1.clone(), h2.clone()], "a name that is not a hash is no file");
        let set = RemoteRecord {
            table: "ticket_messages".into(),
            row_id: "m1".into(),
            op: RecordOp::Set { column: "attachments".into(), value: FieldValue::Text(list.clone()) },
        };
        assert_eq!(set.file_hashes().len(), 2);
        let body = RemoteRecord {
            table: "ticket_messages".into(),
            row_id: "m1".into(),
            op: RecordOp::Set { column: "body".into(), value: FieldValue::Text(list.clone()) },
        };
        assert!(body.file_hashes().is_empty());
        let other = RemoteRecord {
            table: "customers".into(),
            row_id: "c1".into(),
            op: RecordOp::Set { column: "attachments".into(), value: FieldValue::Text(list) },
        };
        assert!(other.file_hashes().is_empty());
    }
}
