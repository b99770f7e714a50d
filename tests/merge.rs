//! The merge on real workspace files: a workspace's shared state is a function of the set of
//! transactions it received, whatever their order and however often each came. Each case here
//! failed before the merge was made from the log (issue 24): a set that came before its insert
//! was dropped, a second insert of the same id ignored, a purge before its insert undone by it,
//! a record of an unknown column failed its whole transaction, and `updated_at` was each
//! device's own time of applying.
mod common;
use common::*;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use std::path::Path;
use std::process::Command;
use tend::changelog::{FieldValue, RecordOp, RemoteRecord, RemoteTx};
use tend::remote::Applied;
use tend::Workspace;
use tend_sync::registry::TABLES;

/// Every transaction of `ws`'s log, in clock order, as sync sends them.
async fn log(ws: &Workspace) -> Vec<RemoteTx> {
    let hlcs: Vec<String> = sqlx::query_scalar("SELECT hlc FROM txs ORDER BY hlc").fetch_all(ws.pool()).await.unwrap();
    let mut out = Vec::new();
    for h in hlcs {
        out.push(ws.transaction_records(&h).await.unwrap().unwrap());
    }
    out
}

/// The shared state: every row of every tracked table (keys and tracked columns), each
/// customer's `updated_at`, and the search entries' count.
async fn state(ws: &Workspace) -> Vec<String> {
    let mut out = Vec::new();
    for t in TABLES {
        let cols: Vec<&str> = t.keys.iter().chain(t.columns).copied().collect();
        let sql = format!("SELECT json_array({}) FROM {} ORDER BY {}", cols.join(", "), t.name, t.keys.join(", "));
        let rows: Vec<String> = sqlx::query_scalar(&sql).fetch_all(ws.pool()).await.unwrap();
        out.extend(rows.into_iter().map(|r| format!("{} {r}", t.name)));
    }
    let touched: Vec<String> = sqlx::query_scalar("SELECT id || ' ' || updated_at FROM customers ORDER BY id")
        .fetch_all(ws.pool())
        .await
        .unwrap();
    out.extend(touched.into_iter().map(|r| format!("updated_at {r}")));
    out.push(format!("indexed {}", count(ws, "customer_keys").await));
    out
}

async fn apply_all(ws: &Workspace, txs: &[&RemoteTx]) {
    for t in txs {
        ws.apply_remote(t).await.unwrap();
    }
}

fn text(s: &str) -> FieldValue {
    FieldValue::Text(s.into())
}

fn tx(ms: i64, device: &str, records: Vec<RemoteRecord>) -> RemoteTx {
    RemoteTx {
        hlc: format!("{ms:013}:00000:{device}"),
        at_ms: ms,
        actor: None,
        device: device.into(),
        records,
        part: None,
    }
}

fn customer_insert(id: &str, name: &str, province: &str, created: i64) -> RemoteRecord {
    RemoteRecord {
        table: "customers".into(),
        row_id: id.into(),
        op: RecordOp::Insert {
            values: vec![
                ("kind".into(), text("person")),
                ("name".into(), text(name)),
                ("province".into(), text(province)),
                ("phones".into(), text("[]")),
                ("emails".into(), text("[]")),
                ("tags".into(), text("[]")),
                ("created_at".into(), FieldValue::Int(created)),
            ],
        },
    }
}

fn set(table: &str, id: &str, column: &str, value: FieldValue) -> RemoteRecord {
    RemoteRecord { table: table.into(), row_id: id.into(), op: RecordOp::Set { column: column.into(), value } }
}

#[tokio::test]
async fn a_field_set_that_arrives_before_its_insert_takes_effect_when_the_row_comes() {
    let a = open().await;
    let c = a.ws.create_customer(&person("Trịnh Văn Bô", "0912 000 111")).await.unwrap().customer;
    a.clock.advance(60_000);
    let mut input = c.to_input();
    input.province = Some("Hải Phòng".into());
    a.ws.update_customer(&c.id, &c.to_input(), &input).await.unwrap();
    let txs = log(&a.ws).await;
    assert_eq!(txs.len(), 2);

    let b = open().await;
    apply_all(&b.ws, &[&txs[1], &txs[0]]).await;
    let got = b.ws.customer(&c.id).await.unwrap();
    assert_eq!(got.province.as_deref(), Some("Hải Phòng"), "the set that came first was dropped");
    assert_eq!(state(&b.ws).await, state(&a.ws).await);
    assert_eq!(b.ws.search("trinh bo", 5).await.unwrap().len(), 1);
    // the customer's "last changed" is the clock of its newest change on every device
    assert_eq!(got.updated_at, T0 + 60_000);
    assert_eq!(a.ws.customer(&c.id).await.unwrap().updated_at, T0 + 60_000);
}

#[tokio::test]
async fn a_row_that_arrives_before_its_parent_waits_for_it() {
    let a = open().await;
    let c = a.ws.create_customer(&person("Đỗ Thị Hà", "")).await.unwrap().customer;
    a.clock.advance(1000);
    let contact = tend::customers::ContactInput { name: "Anh Sơn".into(), ..Default::default() };
    a.ws.add_contact(&c.id, &contact).await.unwrap();
    let txs = log(&a.ws).await;
    let b = open().await;
    apply_all(&b.ws, &[&txs[1]]).await;
    assert_eq!(count(&b.ws, "contacts").await, 0, "a contact is not shown without its customer");
    assert_eq!(count(&b.ws, "sync_waiting").await, 1);
    apply_all(&b.ws, &[&txs[0], &txs[1]]).await;
    assert_eq!(count(&b.ws, "sync_waiting").await, 0);
    assert_eq!(state(&b.ws).await, state(&a.ws).await);
    assert_eq!(b.ws.customer(&c.id).await.unwrap().contacts.len(), 1);
}

#[tokio::test]
async fn the_same_row_inserted_on_two_devices_merges_field_by_field_by_clock() {
    let id = "01a23900-0000-7000-8000-000000000001";
    let one = tx(T0 + 1000, "d1d1d1d1d1d1d1d1", vec![customer_insert(id, "Cửa hàng Minh Châu", "Hà Nội", T0 + 1000)]);
    let two = tx(T0 + 2000, "d2d2d2d2d2d2d2d2", vec![customer_insert(id, "Minh Châu", "Huế", T0 + 2000)]);
    let three = tx(T0 + 3000, "d1d1d1d1d1d1d1d1", vec![set("customers", id, "province", text("Đà Nẵng"))]);
    let mut states = Vec::new();
    for order in [[&one, &two, &three], [&three, &two, &one], [&two, &three, &one], [&one, &three, &two]] {
        let w = open().await;
        apply_all(&w.ws, &order).await;
        apply_all(&w.ws, &[&one]).await; // again: nothing changes
        let got = w.ws.customer(id).await.unwrap();
        assert_eq!((got.name.as_str(), got.province.as_deref()), ("Minh Châu", Some("Đà Nẵng")));
        assert_eq!(got.created_at, T0 + 2000);
        assert_eq!(got.updated_at, T0 + 3000);
        states.push(state(&w.ws).await);
    }
    assert!(states.windows(2).all(|w| w[0] == w[1]), "{states:#?}");
}

#[tokio::test]
async fn a_purge_that_arrives_before_its_insert_leaves_nothing_behind() {
    let a = open().await;
    let c = a.ws.create_customer(&person("Lý Thường Kiệt", "0913 222 333")).await.unwrap().customer;
    a.clock.advance(1000);
    a.ws.trash_customer(&c.id).await.unwrap();
    a.clock.advance(1000);
    a.ws.purge_customer(&c.id).await.unwrap();
    let txs = log(&a.ws).await;
    assert_eq!(txs.len(), 3);
    for order in [[2, 0, 1], [2, 1, 0], [0, 2, 1], [1, 0, 2]] {
        let b = open().await;
        apply_all(&b.ws, &order.map(|i| &txs[i])).await;
        assert_eq!(count(&b.ws, "customers").await, 0, "order {order:?} brought the purged customer back");
        assert_eq!(state(&b.ws).await, state(&a.ws).await);
        assert!(b.ws.search("ly thuong kiet", 5).await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn records_this_build_does_not_know_are_kept_and_the_rest_applies() {
    let f = open().await;
    let id = "01a23900-0000-7000-8000-000000000002";
    let newer = tx(
        T0 - 5000,
        "d3d3d3d3d3d3d3d3",
        vec![
            customer_insert(id, "Nhà sách Tiến Thọ", "Hà Nội", T0 - 5000),
            set("customers", id, "loyalty_points", FieldValue::Int(120)),
            RemoteRecord {
                table: "warranty_claims".into(),
                row_id: "01a23900-0000-7000-8000-0000000000aa".into(),
                op: RecordOp::Insert { values: vec![("subject".into(), text("Đổi sách lỗi"))] },
            },
        ],
    );
    assert_eq!(f.ws.apply_remote(&newer).await.unwrap(), Applied::Applied { records: 1, kept: 2 });
    assert_eq!(f.ws.customer(id).await.unwrap().name, "Nhà sách Tiến Thọ");
    assert_eq!(count(&f.ws, "sync_inbox").await, 2);
    // the same transaction again keeps nothing twice
    assert_eq!(f.ws.apply_remote(&newer).await.unwrap(), Applied::AlreadyHad);
    assert_eq!(count(&f.ws, "sync_inbox").await, 2);
}

#[tokio::test]
async fn what_an_older_build_kept_is_applied_by_the_build_that_knows_it() {
    // An older build kept a set of `province` (a column it did not know) in its inbox, as part
    // of the transaction it came in; this build knows the column and applies it when it opens.
    let f = open().await;
    let id = "01a23900-0000-7000-8000-000000000003";
    let remote = tx(T0 - 5000, "d4d4d4d4d4d4d4d4", vec![customer_insert(id, "Tiệm vàng Kim Long", "Huế", T0 - 5000)]);
    f.ws.apply_remote(&remote).await.unwrap();
    let later = tx(T0 - 4000, "d4d4d4d4d4d4d4d4", vec![]);
    f.ws.apply_remote(&later).await.unwrap();
    let kept = serde_json::to_string(&set("customers", id, "province", text("Cà Mau"))).unwrap();
    sqlx::query("INSERT INTO sync_inbox (tx, record) SELECT id, ? FROM txs WHERE hlc = ?")
        .bind(&kept)
        .bind(&later.hlc)
        .execute(f.ws.pool())
        .await
        .unwrap();
    let path = f.ws.path().to_path_buf();
    f.ws.close().await;
    let ws = Workspace::open(&path).await.unwrap();
    assert_eq!(count(&ws, "sync_inbox").await, 0);
    let got = ws.customer(id).await.unwrap();
    assert_eq!(got.province.as_deref(), Some("Cà Mau"));
    assert_eq!(got.updated_at, T0 - 4000);
}

#[tokio::test]
async fn the_log_pages_in_commit_order_and_an_apply_says_which_tables_it_changed() {
    let a = open().await;
    for i in 0..5 {
        a.ws.create_customer(&person(&format!("Khách {i}"), "")).await.unwrap();
        a.clock.advance(1000);
    }
    let first = a.ws.changes_since(0, 2).await.unwrap();
    assert_eq!((first.transactions.len(), first.more), (2, true));
    let rest = a.ws.changes_since(first.cursor, 100).await.unwrap();
    assert_eq!((rest.transactions.len(), rest.more), (3, false));
    assert!(a.ws.changes_since(rest.cursor, 100).await.unwrap().transactions.is_empty());
    let all: Vec<RemoteTx> = first.transactions.into_iter().chain(rest.transactions).collect();
    assert_eq!(all, log(&a.ws).await, "every transaction once, in commit order");

    let b = open().await;
    let mut heard = b.ws.watch_changes();
    b.ws.apply_remote(&all[0]).await.unwrap();
    assert_eq!(heard.try_recv().unwrap().tables, vec!["customers".to_string()]);
    b.ws.apply_remote(&all[0]).await.unwrap();
    assert!(heard.try_recv().is_err(), "a transaction already here changes nothing");
    // a remote transaction applied here gets the next local cursor: a sync client pushes it on
    assert_eq!(b.ws.changes_since(0, 10).await.unwrap().transactions, vec![all[0].clone()]);
}

// ---- three workspaces through the CLI ---------------------------------------------------

fn tend(db: &Path, args: &[&str]) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_tend")).arg("--db").arg(db).args(args).output().unwrap();
    assert!(out.status.success(), "tend {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null)
}

/// Every transaction of a workspace as files, read a page at a time with `changes since`.
fn exported(db: &Path, dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut cursor = 0;
    loop {
        let page = tend(db, &["changes", "since", &cursor.to_string(), "--limit", "4", "--json"]);
        for t in page["transactions"].as_array().unwrap() {
            let file = dir.join(format!("{}.json", t["hlc"].as_str().unwrap().replace(':', "_")));
            std::fs::write(&file, serde_json::to_string(t).unwrap()).unwrap();
            out.push(file);
        }
        cursor = page["cursor"].as_i64().unwrap();
        if !page["more"].as_bool().unwrap() {
            return out;
        }
    }
}

#[test]
fn three_workspaces_exchanging_every_transaction_in_shuffled_orders_end_equal() {
    let dir = tempfile::tempdir().unwrap();
    let dbs: Vec<_> = ["a", "b", "c"].iter().map(|n| dir.path().join(format!("{n}.tend"))).collect();
    // the same customer seen by all three: one device adds it, the others change it
    let shared =
        tend(&dbs[0], &["customer", "add", "--name", "Công ty Thành Đạt", "--phone", "0912 555 666", "--json"]);
    let shared = shared["id"].as_str().unwrap().to_string();
    let first = exported(&dbs[0], dir.path());
    for db in &dbs[1..] {
        for f in &first {
            tend(db, &["changes", "apply", f.to_str().unwrap(), "--json"]);
        }
    }
    let mut ids = vec![shared.clone()];
    for (i, (db, province)) in dbs.iter().zip(["Hà Nội", "Đà Nẵng", "Cần Thơ"]).enumerate() {
        let own = tend(db, &["customer", "add", "--name", &format!("Khách riêng {i}"), "--json"]);
        let own = own["id"].as_str().unwrap().to_string();
        tend(db, &["customer", "set", &own, &format!("province={province}"), "--json"]);
        tend(
            db,
            &["customer", "set", &shared, &format!("province={province}"), &format!("notes=ghi chú {i}"), "--json"],
        );
        tend(
            db,
            &[
                "interaction",
                "add",
                "--customer",
                &shared,
                "--kind",
                "call",
                "--summary",
                &format!("Gọi lần {i}"),
                "--json",
            ],
        );
        if i == 2 {
            let deal = tend(db, &["deal", "add", "--customer", &own, "--title", "Máy lọc nước", "--json"]);
            tend(db, &["deal", "delete", deal["id"].as_str().unwrap(), "--json"]);
        }
        ids.push(own);
    }
    let mut files = Vec::new();
    for (i, db) in dbs.iter().enumerate() {
        let sub = dir.path().join(format!("out{i}"));
        std::fs::create_dir(&sub).unwrap();
        files.push(exported(db, &sub));
    }
    let mut rng = rand::rngs::StdRng::seed_from_u64(24);
    for (i, db) in dbs.iter().enumerate() {
        let mut todo: Vec<&std::path::PathBuf> =
            files.iter().enumerate().filter(|(j, _)| *j != i).flat_map(|(_, f)| f.iter()).collect();
        // and some twice
        let again: Vec<_> = todo.iter().step_by(3).copied().collect();
        todo.extend(again);
        todo.shuffle(&mut rng);
        for f in todo {
            tend(db, &["changes", "apply", f.to_str().unwrap(), "--json"]);
        }
    }
    let show = |db: &Path, id: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_tend"))
            .arg("--db")
            .arg(db)
            .args(["customer", "show", id, "--json"])
            .output()
            .unwrap();
        (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned())
    };
    for id in &ids {
        let seen: Vec<_> = dbs.iter().map(|db| show(db, id)).collect();
        assert!(seen.windows(2).all(|w| w[0] == w[1]), "customer {id} differs: {seen:#?}");
    }
    let c = &show(&dbs[0], &shared).1;
    assert!(c.contains("Cần Thơ") || c.contains("Đà Nẵng") || c.contains("Hà Nội"), "{c}");
}
