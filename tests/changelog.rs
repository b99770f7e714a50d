//! Change log v2: a workspace written by the first format is converted in place and reads the
//! same (history, customers, undo of an import and of a merge, the archive); every column of every
//! tracked table is tracked; a transaction from another device applies under its own clock, once,
//! and loses to a newer local value.
//!
//! tests/fixtures/v5/ was written by the build before v2 (schema 5) through its CLI: a demo of 12,
//! two added and edited customers, a CSV import that merged one, a merge, an interactions import,
//! a purged custom value; `before.json` holds every customer's `history --json` and
//! `customer show --json` as that build printed them, `after-undo.json` the same after
//! `import undo` and `unmerge` of the ids in `ops.txt`, and `workspace.tend-archive` its archive.
mod common;
use common::*;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use tend::changelog::triggers::{normalized, touch_customer, trigger, updated_at_from_log};
use tend::changelog::{FieldValue, RecordOp, RemoteRecord, RemoteTx};
use tend::remote::Applied;
use tend_sync::registry::TABLES;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/v5").join(name)
}

fn tend(db: &Path, args: &[&str]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_tend")).arg("--db").arg(db).args(args).output().expect("run tend");
    assert!(out.status.success(), "tend {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or(Value::Null)
}

/// Every customer's history and 360 as the CLI prints them.
fn record(db: &Path, ids: &[String]) -> Value {
    let mut out = serde_json::Map::new();
    for id in ids {
        let h = tend(db, &["history", id, "--json"]);
        let c = tend(db, &["customer", "show", id, "--json"]);
        out.insert(id.clone(), serde_json::json!({ "history": h, "customer": c }));
    }
    Value::Object(out)
}

/// Replaces what depends on when a test runs: the clock and time of transactions written now
/// (not in `old`), and the time values they set.
fn normalise(v: &mut Value, old: &BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            let fresh = m.get("hlc").and_then(Value::as_str).is_some_and(|h| !old.contains(h));
            if fresh {
                m.insert("hlc".into(), "now".into());
                m.insert("at_ms".into(), 0.into());
                if let Some(Value::Object(ch)) = m.get_mut("change") {
                    if matches!(ch.get("column").and_then(Value::as_str), Some("deleted_at" | "updated_at")) {
                        ch.insert("value".into(), "now".into());
                    }
                }
            }
            for k in ["updated_at", "deleted_at"] {
                if let Some(x) = m.get_mut(k) {
                    if x.is_i64() {
                        *x = "set".into();
                    }
                }
            }
            for x in m.values_mut() {
                normalise(x, old);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| normalise(x, old)),
        _ => {}
    }
}

fn clocks(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            if let Some(h) = m.get("hlc").and_then(Value::as_str) {
                out.insert(h.to_string());
            }
            m.values().for_each(|x| clocks(x, out));
        }
        Value::Array(a) => a.iter().for_each(|x| clocks(x, out)),
        _ => {}
    }
}

/// Every customer with its `updated_at` left out: migration 0014 makes it the clock of the
/// customer's newest change (the same on every device), where an old build stamped its own time.
fn without_updated_at(v: &Value) -> Value {
    let mut v = v.clone();
    for c in v.as_object_mut().unwrap().values_mut() {
        c["customer"].as_object_mut().unwrap().remove("updated_at");
    }
    v
}

fn load(name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(fixture(name)).unwrap()).unwrap()
}

fn assert_same(what: &str, got: &Value, want: &Value) {
    if got != want {
        for (id, w) in want.as_object().unwrap() {
            let g = &got[id];
            assert_eq!(
                serde_json::to_string_pretty(g).unwrap(),
                serde_json::to_string_pretty(w).unwrap(),
                "{what}: customer {id} differs"
            );
        }
        panic!("{what}: differs");
    }
}

#[tokio::test]
async fn an_old_workspace_is_converted_in_place_and_reads_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ws.tend");
    std::fs::copy(fixture("workspace.tend"), &db).unwrap();
    let before = load("before.json");
    let ids: Vec<String> = before.as_object().unwrap().keys().cloned().collect();
    let old_records: i64 = {
        let c = rusqlite::Connection::open(&db).unwrap();
        c.query_row("SELECT COUNT(*) FROM changes", [], |r| r.get(0)).unwrap()
    };

    // the first open migrates (after the pre-migration backup) ...
    let ws = tend::Workspace::open(&db).await.unwrap();
    let backups = tend::backup::list_backups(&db).unwrap();
    assert!(format!("{backups:?}").contains("PreMigration"), "no pre-migration backup: {backups:?}");
    let (records, inserts, tables): (i64, i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), SUM(col = 0), (SELECT COUNT(*) FROM sqlite_master WHERE name LIKE 'changes_v1%') FROM changes",
    )
    .fetch_one(ws.pool())
    .await
    .unwrap();
    assert_eq!(tables, 0, "the conversion's working tables are gone");
    assert!(inserts > 30 && records < old_records / 3, "{records} records ({inserts} inserts) from {old_records}");
    ws.close().await;

    // ... and history, every customer and the log's clocks read as the old build printed them
    let mut old = BTreeSet::new();
    clocks(&before, &mut old);
    let got = record(&db, &ids);
    assert_same("history and customers after the migration", &without_updated_at(&got), &without_updated_at(&before));
    for (id, c) in got.as_object().unwrap() {
        let newest = c["history"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["hlc"].as_str()?.get(..13)?.parse::<i64>().ok())
            .max()
            .unwrap();
        assert_eq!(
            c["customer"]["updated_at"].as_i64(),
            Some(newest),
            "{id}: last changed is its newest change's clock"
        );
    }

    // an archive of the migrated workspace gives the same again
    let archive = dir.path().join("migrated.tend-archive");
    tend(&db, &["export", "workspace", archive.to_str().unwrap(), "--json"]);
    let again = dir.path().join("again.tend");
    tend(&again, &["import", "workspace", archive.to_str().unwrap(), "--json"]);
    assert_same("from the migrated workspace's archive", &record(&again, &ids), &got);

    // undo of the import and of the merge made before the migration do what the old build did
    let ops = std::fs::read_to_string(fixture("ops.txt")).unwrap();
    let (import_id, merge_id) = ops.trim().split_once(' ').unwrap();
    tend(&db, &["import", "undo", import_id, "--json"]);
    tend(&db, &["unmerge", merge_id, "--json"]);
    let mut got = record(&db, &ids);
    let mut want = load("after-undo.json");
    let mut old_after = BTreeSet::new();
    clocks(&before, &mut old_after);
    normalise(&mut got, &old_after);
    normalise(&mut want, &old_after);
    assert_same("after undo of the import and the merge", &got, &want);
}

#[tokio::test]
async fn an_archive_of_the_old_format_is_read_and_converted() {
    let dir = tempfile::tempdir().unwrap();
    let before = load("before.json");
    let ids: Vec<String> = before.as_object().unwrap().keys().cloned().collect();
    let db = dir.path().join("from-archive.tend");
    let m = tend(&db, &["import", "workspace", fixture("workspace.tend-archive").to_str().unwrap(), "--json"]);
    assert_eq!(m["schema_version"], 5);
    assert_same("from an archive of schema 5", &without_updated_at(&record(&db, &ids)), &without_updated_at(&before));
}

/// Every ordinary table of the schema, by name.
async fn schema_tables(ws: &tend::Workspace) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite_%'",
    )
    .fetch_all(ws.pool())
    .await
    .unwrap()
}

#[tokio::test]
async fn every_column_of_every_tracked_table_is_tracked() {
    let f = open().await;
    let ws = &f.ws;
    // the tables that are not shared: this device's, the log itself, derived indexes
    const NOT_TRACKED: &[&str] = &[
        "meta",
        "write_ctx",
        "_sqlx_migrations",
        "txs",
        "changes",
        "change_tables",
        "change_columns",
        "imports",
        "merges",
        "customer_keys",
        "customer_tags",
        "customer_counts",
        "customer_activity",
        "care_notified",
        "sync_inbox",
        "sync_waiting",
        "sync_parts",
        "report_chunks",
    ];
    let tracked: Vec<(i64, String)> =
        sqlx::query_as("SELECT code, name FROM change_tables ORDER BY code").fetch_all(ws.pool()).await.unwrap();
    for t in schema_tables(ws).await {
        assert!(
            NOT_TRACKED.contains(&t.as_str()) || tracked.iter().any(|(_, n)| *n == t),
            "table {t} is neither tracked nor declared local"
        );
    }
    // the registry is the one list: the dictionary is its codes, the schema its columns, the
    // triggers exactly what it generates
    let registry: Vec<(i64, String)> = TABLES.iter().map(|t| (t.code, t.name.to_string())).collect();
    assert_eq!(tracked, registry, "the dictionary's tables are the registry's");
    for t in TABLES {
        let schema: Vec<String> =
            sqlx::query_scalar(&format!("SELECT name FROM pragma_table_info('{}') ORDER BY cid", t.name))
                .fetch_all(ws.pool())
                .await
                .unwrap();
        let columns: Vec<String> = sqlx::query_scalar("SELECT name FROM change_columns WHERE tbl = ? ORDER BY code")
            .bind(t.code)
            .fetch_all(ws.pool())
            .await
            .unwrap();
        assert_eq!(columns, t.columns, "{}: the dictionary's columns are the registry's, in code order", t.name);
        let want: BTreeSet<&str> =
            schema.iter().map(String::as_str).filter(|c| !t.keys.contains(c) && !t.local.contains(c)).collect();
        let have: BTreeSet<&str> = t.columns.iter().copied().collect();
        assert_eq!(have, want, "{}: the registry's columns are not the schema's minus keys and local ones", t.name);
        for event in ["INSERT", "UPDATE", "DELETE"] {
            let name = format!("{}_changes_{}", t.name, event.to_lowercase());
            let stored: String =
                sqlx::query_scalar("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?")
                    .bind(&name)
                    .fetch_optional(ws.pool())
                    .await
                    .unwrap()
                    .unwrap_or_else(|| panic!("no trigger {name}"));
            assert_eq!(
                normalized(&stored),
                normalized(&trigger(t, event)),
                "{name} is not what the registry generates"
            );
        }
    }
    let touch: String =
        sqlx::query_scalar("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'changes_touch_customer'")
            .fetch_one(ws.pool())
            .await
            .unwrap();
    assert_eq!(
        normalized(&touch),
        normalized(&touch_customer()),
        "changes_touch_customer is not what the registry generates"
    );
    let m0014 = include_str!("../migrations/0014_convergent_merge.sql");
    assert!(
        normalized(m0014).contains(&normalized(&updated_at_from_log())),
        "0014 sets updated_at as the archive does"
    );
}

#[tokio::test]
async fn an_insert_is_one_record_and_an_update_one_per_changed_column() {
    let f = open().await;
    let ws = &f.ws;
    let c = ws.create_customer(&with_email(person("Nguyễn Thị Lan", "0912 345 678"), "lan@x.vn")).await.unwrap();
    let id = c.customer.id.clone();
    let recs: Vec<(i64, i64)> =
        sqlx::query_as("SELECT tx, col FROM changes WHERE row_id = ?").bind(&id).fetch_all(ws.pool()).await.unwrap();
    assert_eq!(recs.len(), 1, "one insert record: {recs:?}");
    assert_eq!(recs[0].1, 0);
    let first = ws.clock_of("customers", &id, "name").await.unwrap().unwrap();
    assert_eq!(ws.clock_of("customers", &id, "province").await.unwrap().as_ref(), Some(&first));

    f.clock.advance(1000);
    let base = c.customer.to_input();
    let mut input = base.clone();
    input.name = "Nguyễn Thị Lan Anh".into();
    input.province = Some("Hà Nội".into());
    ws.update_customer(&id, &base, &input).await.unwrap();
    let cols: Vec<String> = sqlx::query_scalar(
        "SELECT k.name FROM changes c JOIN change_columns k ON k.tbl = c.tbl AND k.code = c.col
         WHERE c.row_id = ? AND c.col > 0 ORDER BY k.name",
    )
    .bind(&id)
    .fetch_all(ws.pool())
    .await
    .unwrap();
    assert_eq!(cols, ["name", "province"]);
    let second = ws.clock_of("customers", &id, "name").await.unwrap().unwrap();
    assert!(second > first);
    assert_eq!(ws.clock_of("customers", &id, "province").await.unwrap(), Some(second));
    assert_eq!(ws.clock_of("customers", &id, "notes").await.unwrap(), Some(first), "set by the insert");
    // history reads both kinds of record
    let h = ws.history(&id).await.unwrap();
    let name: Vec<(Option<String>, Option<String>)> = h
        .iter()
        .filter(|e| e.change.column == "name")
        .map(|e| (e.change.value.clone(), e.change.previous.clone()))
        .collect();
    assert_eq!(
        name,
        [(Some("Nguyễn Thị Lan Anh".into()), Some("Nguyễn Thị Lan".into())), (Some("Nguyễn Thị Lan".into()), None)]
    );
}

#[tokio::test]
async fn a_remote_transaction_applies_under_its_own_clock_once_and_loses_to_a_newer_value() {
    let a = open().await;
    let b = open().await;
    let c = a.ws.create_customer(&person("Lê Văn Tám", "0903 111 222")).await.unwrap().customer;
    a.clock.advance(1000);
    let mut input = c.to_input();
    input.province = Some("Cần Thơ".into());
    a.ws.update_customer(&c.id, &c.to_input(), &input).await.unwrap();
    let hlcs: Vec<String> =
        sqlx::query_scalar("SELECT hlc FROM txs ORDER BY hlc").fetch_all(a.ws.pool()).await.unwrap();
    assert_eq!(hlcs.len(), 2);

    for h in &hlcs {
        let remote = a.ws.transaction_records(h).await.unwrap().unwrap();
        let applied = b.ws.apply_remote(&remote).await.unwrap();
        assert!(matches!(applied, Applied::Applied { kept: 0, .. }), "{applied:?}");
    }
    let got = b.ws.customer(&c.id).await.unwrap();
    assert_eq!((got.name.as_str(), got.province.as_deref()), ("Lê Văn Tám", Some("Cần Thơ")));
    assert_eq!(got.phones, c.phones);
    // not re-stamped: the same clocks and device, and B's search finds it
    let b_txs: Vec<(String, String)> =
        sqlx::query_as("SELECT hlc, device FROM txs ORDER BY hlc").fetch_all(b.ws.pool()).await.unwrap();
    assert_eq!(b_txs, hlcs.iter().map(|h| (h.clone(), a.ws.device().to_string())).collect::<Vec<_>>());
    assert_eq!(b.ws.search("tam", 10).await.unwrap().len(), 1);
    assert_eq!(b.ws.clock_of("customers", &c.id, "province").await.unwrap(), Some(hlcs[1].clone()));

    // the same transaction again does nothing
    let counts = (count(&b.ws, "txs").await, count(&b.ws, "changes").await);
    let remote = a.ws.transaction_records(&hlcs[1]).await.unwrap().unwrap();
    assert_eq!(b.ws.apply_remote(&remote).await.unwrap(), Applied::AlreadyHad);
    assert_eq!((count(&b.ws, "txs").await, count(&b.ws, "changes").await), counts);

    // a newer local value wins over an older remote one; an older local one loses
    b.clock.set(T0 + 10_000);
    let base = b.ws.customer(&c.id).await.unwrap().to_input();
    let mut local = base.clone();
    local.province = Some("Hậu Giang".into());
    b.ws.update_customer(&c.id, &base, &local).await.unwrap();
    let older = RemoteTx {
        hlc: format!("{:013}:00000:ffffffffffffffff", T0 + 5_000),
        at_ms: T0 + 5_000,
        actor: None,
        part: None,
        device: "ffffffffffffffff".into(),
        records: vec![
            RemoteRecord {
                table: "customers".into(),
                row_id: c.id.clone(),
                op: RecordOp::Set { column: "province".into(), value: FieldValue::Text("Sóc Trăng".into()) },
            },
            RemoteRecord {
                table: "customers".into(),
                row_id: c.id.clone(),
                op: RecordOp::Set { column: "notes".into(), value: FieldValue::Text("khách từ máy khác".into()) },
            },
        ],
    };
    assert_eq!(b.ws.apply_remote(&older).await.unwrap(), Applied::Applied { records: 2, kept: 0 });
    let got = b.ws.customer(&c.id).await.unwrap();
    assert_eq!((got.province.as_deref(), got.notes.as_deref()), (Some("Hậu Giang"), Some("khách từ máy khác")));

    // a clock too far ahead is refused and writes nothing
    let ahead = RemoteTx { hlc: format!("{:013}:00000:ffffffffffffffff", T0 + 3_600_000), ..older.clone() };
    let counts = (count(&b.ws, "txs").await, count(&b.ws, "changes").await);
    assert!(matches!(b.ws.apply_remote(&ahead).await, Err(tend::Error::ClockAhead { .. })));
    assert_eq!((count(&b.ws, "txs").await, count(&b.ws, "changes").await), counts);
    // and a column this build does not know is kept for the build that knows it, while the
    // rest of its transaction applies now
    let mut unknown = older.clone();
    unknown.hlc = format!("{:013}:00001:ffffffffffffffff", T0 + 20_000);
    unknown.records[0].op = RecordOp::Set { column: "loyalty_points".into(), value: FieldValue::Int(3) };
    assert_eq!(b.ws.apply_remote(&unknown).await.unwrap(), Applied::Applied { records: 1, kept: 1 });
    assert_eq!(count(&b.ws, "sync_inbox").await, 1);
    assert_eq!(b.ws.customer(&c.id).await.unwrap().notes.as_deref(), Some("khách từ máy khác"));
}

#[tokio::test]
async fn values_from_a_newer_version_are_stored_as_they_came_and_shown_as_such() {
    let f = open().await;
    let ws = &f.ws;
    let remote_id = "01a23800-0000-7000-8000-000000000001";
    let interaction_id = "01a23800-0000-7000-8000-000000000002";
    let text = |s: &str| FieldValue::Text(s.into());
    let remote = RemoteTx {
        hlc: format!("{:013}:00000:eeeeeeeeeeeeeeee", T0 - 1000),
        at_ms: T0 - 1000,
        actor: None,
        part: None,
        device: "eeeeeeeeeeeeeeee".into(),
        records: vec![
            RemoteRecord {
                table: "customers".into(),
                row_id: remote_id.into(),
                op: RecordOp::Insert {
                    values: vec![
                        ("kind".into(), text("household")),
                        ("name".into(), text("Hộ kinh doanh Bà Năm")),
                        ("created_at".into(), FieldValue::Int(T0 - 1000)),
                    ],
                },
            },
            RemoteRecord {
                table: "interactions".into(),
                row_id: interaction_id.into(),
                op: RecordOp::Insert {
                    values: vec![
                        ("customer_id".into(), text(remote_id)),
                        ("kind".into(), text("livestream")),
                        ("channel".into(), text("tiktok")),
                        ("direction".into(), text("inbound")),
                        ("occurred_at".into(), FieldValue::Int(T0 - 1000)),
                        ("summary".into(), text("Hỏi giá trong buổi live")),
                        ("created_at".into(), FieldValue::Int(T0 - 1000)),
                    ],
                },
            },
        ],
    };
    // no CHECK refuses them ...
    assert_eq!(ws.apply_remote(&remote).await.unwrap(), Applied::Applied { records: 2, kept: 0 });
    let stored: (String, String, String) =
        sqlx::query_as("SELECT c.kind, i.kind, i.channel FROM customers c JOIN interactions i ON i.customer_id = c.id")
            .fetch_one(ws.pool())
            .await
            .unwrap();
    assert_eq!(stored, ("household".into(), "livestream".into(), "tiktok".into()));
    // ... the customer opens and lists (as a person), and the timeline says what came from where
    let c = ws.customer(remote_id).await.unwrap();
    assert_eq!(c.kind, tend::customers::CustomerKind::Person);
    assert_eq!(ws.search("ba nam", 10).await.unwrap().len(), 1);
    let page = ws.timeline(remote_id, None, 20).await.unwrap();
    let i = page
        .entries
        .iter()
        .find_map(|e| match e {
            tend::history::TimelineEntry::Interaction(i) => Some(i),
            _ => None,
        })
        .expect("the interaction is on the timeline");
    let newer: Vec<(&str, &str)> = i.newer_values.iter().map(|v| (v.field.as_str(), v.value.as_str())).collect();
    assert_eq!(newer, [("kind", "livestream"), ("channel", "tiktok")]);
    // and a save of that customer in this build keeps the stored kind
    let base = c.to_input();
    let mut input = base.clone();
    input.notes = Some("Khách quen".into());
    ws.update_customer(remote_id, &base, &input).await.unwrap();
    let kind: String = sqlx::query_scalar("SELECT kind FROM customers WHERE id = ?")
        .bind(remote_id)
        .fetch_one(ws.pool())
        .await
        .unwrap();
    assert_eq!(kind, "household");
}
