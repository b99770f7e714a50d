//! The merge converges: 3 to 5 replicas make random edits over every registry table (inserts,
//! field sets, the same id inserted on two devices, deletes, restores, purges with their
//! children, records from a newer version) while transactions travel between them in random
//! orders, with duplicates and drops that are retried later; once every replica has every
//! transaction, all show the same rows, and the same as one replica that took them in clock
//! order.
//!
//! `TEND_SYNC_SCHEDULES` (default 10,000) schedules run, seeded 0, 1, 2...; a failure prints its
//! seed, and `TEND_SYNC_SEED=N` runs only that one.

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use tend_sync::registry::{Table, TABLES};
use tend_sync::{FieldValue, Hlc, RecordOp, RemoteRecord, RemoteTx, Replica};

struct Device {
    name: String,
    hlc: Hlc,
    wall: i64,
    replica: Replica,
}

fn value(rng: &mut StdRng) -> FieldValue {
    match rng.gen_range(0..5) {
        0 => FieldValue::Null,
        1 | 2 => FieldValue::Int(rng.gen_range(0..3)),
        _ => FieldValue::Text(format!("v{}", rng.gen_range(0..3))),
    }
}

/// A row id of `table` shown on `d`, if any.
fn shown_id(d: &Device, table: &Table, rng: &mut StdRng) -> Option<String> {
    let ids: Vec<String> =
        d.replica.shown_rows().into_keys().filter(|(t, _)| *t == table.name).map(|(_, id)| id).collect();
    ids.choose(rng).cloned()
}

/// A value for `column` of `table`: a shown parent's id for a parent column, else any value.
fn column_value(d: &Device, table: &Table, column: &str, rng: &mut StdRng) -> Option<FieldValue> {
    match table.parents.iter().find(|(c, _)| *c == column) {
        Some((_, parent)) => {
            let p = TABLES.iter().find(|t| t.name == *parent)?;
            shown_id(d, p, rng).map(FieldValue::Text)
        }
        None => Some(value(rng)),
    }
}

/// The records purging a row shown on `d` and every row shown there that names it, children
/// first (as the core purges a customer).
fn purge(d: &Device, table: &Table, row_id: &str, out: &mut Vec<RemoteRecord>) {
    let rows = d.replica.shown_rows();
    for (child, col) in tend_sync::registry::children_of(table.name) {
        for ((t, id), row) in &rows {
            if *t != child.name {
                continue;
            }
            let names = match child.keys.iter().position(|k| *k == col) {
                Some(i) => child.key_values(id).ok().and_then(|k| k.get(i).copied()) == Some(row_id),
                None => row.get(col) == Some(&FieldValue::Text(row_id.to_string())),
            };
            if names && !out.iter().any(|r| r.table == child.name && &r.row_id == id) {
                purge(d, child, id, out);
            }
        }
    }
    out.push(RemoteRecord { table: table.name.into(), row_id: row_id.into(), op: RecordOp::Purge });
}

/// One local transaction on `d`: a few records made from what `d` shows.
fn edit(d: &mut Device, rng: &mut StdRng) -> Option<RemoteTx> {
    let mut records = Vec::new();
    for _ in 0..rng.gen_range(1..=3) {
        let table = TABLES.choose(rng).expect("tables");
        match rng.gen_range(0..10) {
            // an insert: a fresh id, or one of a few ids every device uses (derived ids)
            0..=3 => {
                let row_id = if table.keys.len() == 2 {
                    let mut parts = Vec::new();
                    for k in table.keys {
                        let (_, parent) = table.parents.iter().find(|(c, _)| c == k)?;
                        let p = TABLES.iter().find(|t| t.name == *parent)?;
                        parts.push(shown_id(d, p, rng)?);
                    }
                    parts.join("/")
                } else if rng.gen_bool(0.5) {
                    format!("{}-shared{}", table.name, rng.gen_range(0..3))
                } else {
                    format!("{}-{}-{}", table.name, d.name, rng.gen::<u32>())
                };
                let mut values = Vec::new();
                for c in table.columns {
                    let v = column_value(d, table, c, rng)?;
                    if !v.is_null() {
                        values.push((c.to_string(), v));
                    }
                }
                if rng.gen_bool(0.05) {
                    values.push(("from_a_newer_version".into(), value(rng)));
                }
                records.push(RemoteRecord { table: table.name.into(), row_id, op: RecordOp::Insert { values } });
            }
            // a field set (deleted_at: delete and restore), sometimes on a row not shown here
            4..=7 => {
                let row_id = match shown_id(d, table, rng) {
                    Some(id) if rng.gen_bool(0.9) => id,
                    _ => format!("{}-shared{}", table.name, rng.gen_range(0..3)),
                };
                let column = if table.columns.contains(&"deleted_at") && rng.gen_bool(0.3) {
                    "deleted_at"
                } else {
                    table.columns.choose(rng).expect("columns")
                };
                let value = column_value(d, table, column, rng)?;
                records.push(RemoteRecord {
                    table: table.name.into(),
                    row_id,
                    op: RecordOp::Set { column: column.into(), value },
                });
            }
            // a purge, with the rows that name it
            8 => {
                let row_id = shown_id(d, table, rng)?;
                purge(d, table, &row_id, &mut records);
            }
            // a table a newer version added
            _ => records.push(RemoteRecord {
                table: "tickets".into(),
                row_id: format!("t{}", rng.gen_range(0..3)),
                op: RecordOp::Set { column: "subject".into(), value: value(rng) },
            }),
        }
    }
    d.wall += rng.gen_range(-5..20);
    let hlc = d.hlc.tick(d.wall, &d.name);
    let tx = RemoteTx { hlc, at_ms: d.wall, actor: None, device: d.name.clone(), records, part: None };
    d.replica.apply(&tx).expect("own transaction");
    Some(tx)
}

fn deliver(d: &mut Device, tx: &RemoteTx) {
    d.hlc.receive(&tx.hlc, i64::MAX / 4).expect("a clock");
    d.replica.apply(tx).expect("a transaction");
}

fn schedule(seed: u64) -> Result<(), String> {
    let mut rng = StdRng::seed_from_u64(seed);
    let n = rng.gen_range(3..=5);
    let mut devices: Vec<Device> = (0..n)
        .map(|i| Device {
            name: format!("d{i}"),
            hlc: Hlc::default(),
            wall: rng.gen_range(1_000..1_050),
            replica: Replica::default(),
        })
        .collect();
    let mut sent: Vec<RemoteTx> = Vec::new();
    for _ in 0..rng.gen_range(10..60) {
        let i = rng.gen_range(0..n);
        if rng.gen_bool(0.6) {
            if let Some(tx) = edit(&mut devices[i], &mut rng) {
                sent.push(tx);
            }
        } else if !sent.is_empty() {
            // some of what was sent, in any order, some twice; the rest is dropped for now
            for _ in 0..rng.gen_range(1..=sent.len().min(8)) {
                let tx = sent.choose(&mut rng).expect("sent").clone();
                deliver(&mut devices[i], &tx);
            }
        }
    }
    // every transaction reaches every device in the end, each in its own order, with duplicates
    for d in devices.iter_mut() {
        let mut all: Vec<&RemoteTx> = sent.iter().chain(sent.iter().take(rng.gen_range(0..=sent.len()))).collect();
        all.shuffle(&mut rng);
        for tx in all {
            deliver(d, tx);
        }
    }
    let mut ordered = sent.clone();
    ordered.sort_by(|a, b| a.hlc.cmp(&b.hlc));
    let mut reference = Replica::default();
    for tx in &ordered {
        reference.apply(tx).map_err(|e| e.to_string())?;
    }
    let want = reference.shown_rows();
    for d in &devices {
        let got = d.replica.shown_rows();
        if got != want {
            let diff: Vec<_> = want.iter().filter(|(k, v)| got.get(*k) != Some(*v)).take(3).collect();
            let extra: Vec<_> = got.keys().filter(|k| !want.contains_key(*k)).take(3).collect();
            return Err(format!(
                "{} differs from the clock-order replica: {diff:?} missing or different, {extra:?} extra",
                d.name
            ));
        }
    }
    Ok(())
}

#[test]
fn every_replica_ends_with_the_same_rows_whatever_the_order() {
    if let Some(seed) = std::env::var("TEND_SYNC_SEED").ok().and_then(|s| s.parse().ok()) {
        if let Err(e) = schedule(seed) {
            panic!("seed {seed}: {e}");
        }
        return;
    }
    let n: u64 = std::env::var("TEND_SYNC_SCHEDULES").ok().and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let mut rows = 0usize;
    for seed in 0..n {
        if let Err(e) = schedule(seed) {
            panic!("seed {seed}: {e}\nreplay: TEND_SYNC_SEED={seed} cargo test -p tend-sync --test converge");
        }
        rows += 1;
    }
    assert_eq!(rows as u64, n);
}
