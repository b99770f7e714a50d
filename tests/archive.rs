//! The whole workspace to one archive and back into an empty workspace: every table, every row.
mod common;
use common::*;
use rusqlite::types::Value;
use tend::interactions::{Direction, InteractionChannel, InteractionInput, InteractionKind};

fn rows(db: &std::path::Path, table: &str) -> Vec<Vec<Value>> {
    let c = rusqlite::Connection::open(db).unwrap();
    // every column in order: tables without rowid (the derived indexes) compare as well
    let st = c.prepare(&format!("SELECT * FROM {table} LIMIT 0")).unwrap();
    let order = (1..=st.column_count()).map(|i| i.to_string()).collect::<Vec<_>>().join(", ");
    drop(st);
    let mut st = c.prepare(&format!("SELECT * FROM {table} ORDER BY {order}")).unwrap();
    let n = st.column_count();
    let out = st
        .query_map([], |r| (0..n).map(|i| r.get::<_, Value>(i)).collect::<Result<Vec<_>, _>>())
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    out
}

/// Every ordinary table of the schema, read here from SQLite itself (not from the archive's code),
/// so a table added by a later migration is compared without anyone listing it.
fn schema_tables(db: &std::path::Path) -> Vec<String> {
    let c = rusqlite::Connection::open(db).unwrap();
    let mut st = c
        .prepare("SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .unwrap();
    let out = st.query_map([], |r| r.get(0)).unwrap().collect::<Result<Vec<String>, _>>().unwrap();
    out
}

#[tokio::test]
async fn a_workspace_archive_round_trips_every_table() {
    let f = open().await;
    let ws = &f.ws;
    let boss = ws
        .add_staff(&tend::staff::StaffInput {
            name: "Trần Ngọc Ánh".into(),
            email: Some("anh@x.vn".into()),
            role: tend::staff::Role::Owner,
        })
        .await
        .unwrap();
    ws.set_current_staff(Some(&boss.id)).await.unwrap();
    ws.add_stage("Đàm phán").await.unwrap();
    let a = ws.create_customer(&with_email(person("Nguyễn Văn A", "0912 345 678"), "a@x.vn")).await.unwrap().customer;
    let (p, company) =
        ws.create_person_at_company(&person("Lê Thị B", "0987 654 321"), "Công ty TNHH Sao Mai").await.unwrap();
    ws.add_interaction(
        &a.id,
        &InteractionInput {
            kind: InteractionKind::Purchase,
            channel: InteractionChannel::InPerson,
            direction: Direction::Inbound,
            staff_id: None,
            occurred_at: None,
            summary: "Mua 2 máy lọc nước".into(),
            body: Some("Giao tận nhà".into()),
            amount: Some(9_800_000),
            currency: Some("VND".into()),
            items: vec![],
        },
    )
    .await
    .unwrap();
    let csv = f.dir.path().join("k.csv");
    std::fs::write(&csv, "Họ tên,SĐT\nPhan Văn C,0903 111 222\n").unwrap();
    ws.import(&csv, &Default::default(), |_| {}, Default::default()).await.unwrap();
    ws.trash_customer(&p.customer.id).await.unwrap();
    let _ = company;
    // two of the same customer, merged: the merge can still be undone after the round trip
    let twin1 = ws.create_customer(&person("Đỗ Minh Tâm", "0977 000 111")).await.unwrap().customer;
    let twin2 = ws.create_customer(&person("Do Minh Tam", "+84 977 000 111")).await.unwrap().customer;
    let merge = ws.merge_customers(&twin1.id, &twin2.id, &[]).await.unwrap();
    // a dynamic segment and a static list with a member
    use tend::segments::{SegmentInput, SegmentKind};
    let rules = r#"{"all":[{"field":"purchase_total","op":"gte","value":1000000}]}"#;
    let buyers = ws
        .create_segment(&SegmentInput {
            name: "Đã mua".into(), kind: SegmentKind::Dynamic, rules: Some(rules.into())
        })
        .await
        .unwrap();
    let list = ws
        .create_segment(&SegmentInput { name: "Hội chợ".into(), kind: SegmentKind::Static, rules: None })
        .await
        .unwrap();
    ws.add_to_segment(&list.id, std::slice::from_ref(&a.id)).await.unwrap();
    // the helpdesk: a team with a checklist and a survey, a ticket through its thread, a tick,
    // a solve (its follow-up and survey), an answer, a canned response
    let staff = ws
        .add_staff(&tend::staff::StaffInput {
            name: "Lan".into(),
            email: Some("lan@x.vn".into()),
            role: tend::staff::Role::Agent,
        })
        .await
        .unwrap();
    ws.set_current_staff(Some(&staff.id)).await.unwrap();
    let team = tend::tickets::TeamInput::from_toml(
        "name = \"Bảo hành\"\nmembers = [\"lan@x.vn\"]\nfollowup_days = 2\nsurvey = \"csat\"\nstages = [{ name = \"Mới\" }, { name = \"Kiểm tra\", checklist = [\"Gọi lại\"] }, { name = \"Xong\", solved = true }]\n[[sla]]\nname = \"Chung\"\nfirst_response_minutes = 60\n",
    )
    .unwrap();
    let team = ws.create_team(&team).await.unwrap();
    let t = ws
        .create_ticket(&tend::tickets::NewTicket {
            subject: "Máy kêu".into(),
            customer_id: Some(a.id.clone()),
            team_id: Some(team.id.clone()),
            message: Some("Máy kêu to".into()),
            ..Default::default()
        })
        .await
        .unwrap()
        .ticket;
    ws.add_ticket_message(
        &t.id,
        tend::tickets::MessageKind::Reply,
        &tend::tickets::Reply { body: "Dạ".into(), at: None, ..Default::default() },
    )
    .await
    .unwrap();
    ws.move_ticket(&t.id, "Kiểm tra", None).await.unwrap();
    ws.tick_ticket_check(&t.id, "Gọi lại", true, None).await.unwrap();
    ws.solve_ticket(&t.id, None).await.unwrap();
    ws.record_survey(
        &t.id,
        &tend::tickets::SurveyAnswerInput { kind: tend::tickets::SurveyKind::Csat, score: 4, comment: None, at: None },
    )
    .await
    .unwrap();
    ws.create_canned(&tend::tickets::CannedInput {
        name: "Chào".into(),
        body: "Chào {{customer.name}}".into(),
        ..Default::default()
    })
    .await
    .unwrap();

    let archive = f.dir.path().join("ws.tendx");
    let m = ws.export_workspace(&archive).await.unwrap();
    assert_eq!(m.tables["customers"], 6);
    assert_eq!(m.tables["merges"], 1);
    assert!(m.tables["changes"] > 10);
    for (table, n) in [
        ("teams", 1),
        ("team_members", 1),
        ("ticket_stages", 3),
        ("sla_policies", 1),
        ("tickets", 1),
        ("ticket_messages", 2),
        ("ticket_checks", 1),
        ("survey_answers", 1),
        ("canned_responses", 1),
    ] {
        assert_eq!(m.tables[table], n, "{table}");
    }

    let g = open().await;
    g.ws.import_workspace(&archive).await.unwrap();
    // Every table but this device's own, the write context (empty between writes) and the
    // migrations ledger (installed here at another time) has the same rows, the search indexes
    // rebuilt from the data included. FTS5 tables are virtual and their shadow tables are
    // `shadow`, not `table`: they are not listed.
    let tables = schema_tables(f.ws.path());
    assert!(tables.contains(&"merges".to_string()) && tables.contains(&"customer_keys".to_string()), "{tables:?}");
    // The reports' cache is left out too: its days are stale-marked on both sides, each with a
    // version counting the writes that touched it there (the import wrote them all at once).
    for table in &tables {
        if ["meta", "write_ctx", "_sqlx_migrations", "report_chunks"].contains(&table.as_str()) {
            continue;
        }
        assert_eq!(rows(g.ws.path(), table), rows(f.ws.path(), table), "{table}");
    }
    // and the archive holds every one of them but the local and derived tables it declares
    let archived: Vec<&String> = m.tables.keys().collect();
    let expected: Vec<&String> = tables.iter().filter(|t| !tend::archive::LOCAL_TABLES.contains(&t.as_str())).collect();
    assert_eq!(archived, expected);
    assert_eq!(m.tables["segments"], 2);
    assert_eq!(m.tables["segment_members"], 1);
    // the purchase totals are derived again from the interactions: the segment holds A again
    assert_eq!(g.ws.segment_member_ids(&buyers.id).await.unwrap(), vec![a.id.clone()]);
    assert_eq!(g.ws.segment_member_ids(&list.id).await.unwrap(), vec![a.id.clone()]);
    let undone = g.ws.undo_merge(&merge.merge_id).await.unwrap();
    assert!(undone.is_empty(), "{undone:?}");
    assert!(g.ws.customer(&twin2.id).await.unwrap().deleted_at.is_none(), "the merged twin is back");
    // derived indexes are rebuilt: search, the trash and the history work as before
    assert_eq!(g.ws.search("nguyen van a", 5).await.unwrap()[0].id, a.id);
    let hits = g.ws.search("le thi b", 5).await.unwrap();
    assert!(!hits.iter().any(|h| h.id == p.customer.id), "trashed stays out of search");
    assert_eq!(hits.len(), 1, "her company still lists her as a contact");
    assert_eq!(g.ws.history(&a.id).await.unwrap().len(), f.ws.history(&a.id).await.unwrap().len());
    // and the workspace goes on: a new write is recorded after the imported ones
    g.ws.create_customer(&person("Sau Khi Nhập", "")).await.unwrap();
    let hlcs: Vec<String> = sqlx::query_scalar("SELECT hlc FROM txs ORDER BY id").fetch_all(g.ws.pool()).await.unwrap();
    assert!(hlcs.windows(2).all(|w| w[0] < w[1]), "{hlcs:?}");

    // only into an empty workspace; a damaged archive writes nothing
    assert!(f.ws.import_workspace(&archive).await.is_err());
    let h = open().await;
    let bad = f.dir.path().join("bad.tendx");
    {
        use std::io::Write;
        let mut z = zip::ZipWriter::new(std::fs::File::create(&bad).unwrap());
        let o = zip::write::SimpleFileOptions::default();
        let mut src = zip::ZipArchive::new(std::fs::File::open(&archive).unwrap()).unwrap();
        for i in 0..src.len() {
            let mut e = src.by_index(i).unwrap();
            let name = e.name().to_string();
            let mut data = Vec::new();
            std::io::Read::read_to_end(&mut e, &mut data).unwrap();
            if name == "tables/contacts.jsonl" {
                data = b"{not json\n".to_vec();
            }
            if name.ends_with('/') {
                continue;
            }
            z.start_file(name, o).unwrap();
            z.write_all(&data).unwrap();
        }
        z.finish().unwrap();
    }
    assert!(h.ws.import_workspace(&bad).await.is_err());
    assert!(rows(h.ws.path(), "customers").is_empty() && rows(h.ws.path(), "txs").is_empty());
    assert_eq!(rows(h.ws.path(), "stages").len(), 6, "the built-in stages are back after the rollback");
}

/// Rewrites `archive` as an older schema made it: `schema` in the manifest, without `drop`.
fn as_older_archive(archive: &std::path::Path, dest: &std::path::Path, schema: i64, drop: &[&str]) {
    use std::io::{Read, Write};
    let mut z = zip::ZipWriter::new(std::fs::File::create(dest).unwrap());
    let o = zip::write::SimpleFileOptions::default();
    let mut src = zip::ZipArchive::new(std::fs::File::open(archive).unwrap()).unwrap();
    for i in 0..src.len() {
        let mut e = src.by_index(i).unwrap();
        let name = e.name().to_string();
        if name.ends_with('/') || drop.iter().any(|t| name == format!("tables/{t}.jsonl")) {
            continue;
        }
        let mut data = Vec::new();
        e.read_to_end(&mut data).unwrap();
        if name == "manifest.json" {
            let mut m: serde_json::Value = serde_json::from_slice(&data).unwrap();
            m["schema_version"] = schema.into();
            for t in drop {
                m["tables"].as_object_mut().unwrap().remove(*t);
            }
            data = serde_json::to_vec(&m).unwrap();
        }
        z.start_file(name, o).unwrap();
        z.write_all(&data).unwrap();
    }
    z.finish().unwrap();
}

/// The merge's tables (migration 0014), in no archive before it.
/// The tables added since schema 13 (the merge's, the helpdesk's), which no older archive holds.
const LATER: &[&str] = &[
    "sync_inbox",
    "sync_waiting",
    "teams",
    "team_members",
    "ticket_stages",
    "sla_policies",
    "tickets",
    "ticket_messages",
    "ticket_checks",
    "ticket_links",
    "canned_responses",
    "ticket_rules",
    "survey_answers",
];

/// `tables` and the ones added later.
fn and_later<'a>(tables: &[&'a str]) -> Vec<&'a str> {
    tables.iter().chain(LATER).copied().collect()
}

#[tokio::test]
async fn an_archive_made_before_segments_is_read_and_one_from_a_newer_schema_is_refused() {
    let f = open().await;
    let a = f.ws.create_customer(&person("Nguyễn Văn A", "0912 345 678")).await.unwrap().customer;
    let archive = f.dir.path().join("ws.tendx");
    f.ws.export_workspace(&archive).await.unwrap();
    // schema 7 had no segments: its archive holds neither table, and reads into this build
    let old = f.dir.path().join("old.tendx");
    as_older_archive(
        &archive,
        &old,
        7,
        &and_later(&[
            "segments",
            "segment_members",
            "deal_stages",
            "deals",
            "care_plans",
            "care_enrolments",
            "care_tasks",
        ]),
    );
    let g = open().await;
    g.ws.import_workspace(&old).await.unwrap();
    assert_eq!(g.ws.customer(&a.id).await.unwrap().name, "Nguyễn Văn A");
    assert!(g.ws.segments().await.unwrap().is_empty());
    assert_eq!(g.ws.deal_stages().await.unwrap().len(), 7, "the built-in deal stages of this schema are kept");
    // schema 8 had segments but no pipeline
    let eight = f.dir.path().join("eight.tendx");
    as_older_archive(
        &archive,
        &eight,
        8,
        &and_later(&["deal_stages", "deals", "care_plans", "care_enrolments", "care_tasks"]),
    );
    let e8 = open().await;
    e8.ws.import_workspace(&eight).await.unwrap();
    assert_eq!(e8.ws.deal_stages().await.unwrap().len(), 7);
    assert!(e8.ws.pipeline(&Default::default()).await.unwrap().deals.is_empty());
    // schema 9 had the pipeline but no care plans
    let nine = f.dir.path().join("nine.tendx");
    as_older_archive(&archive, &nine, 9, &and_later(&["care_plans", "care_enrolments", "care_tasks"]));
    let e9 = open().await;
    e9.ws.import_workspace(&nine).await.unwrap();
    assert!(e9.ws.care_plans().await.unwrap().is_empty());
    // schema 10 had care plans (without how they enrol) but no enrolments or tasks
    let ten = f.dir.path().join("ten.tendx");
    as_older_archive(&archive, &ten, 10, &and_later(&["care_enrolments", "care_tasks"]));
    let e10 = open().await;
    e10.ws.import_workspace(&ten).await.unwrap();
    assert!(e10.ws.care_tasks(&Default::default()).await.unwrap().is_empty());
    // a schema-7 archive that holds them is not what schema 7 wrote: refused, nothing written
    let odd = f.dir.path().join("odd.tendx");
    as_older_archive(&archive, &odd, 7, &[]);
    let h = open().await;
    assert!(h.ws.import_workspace(&odd).await.is_err());
    assert_eq!(count(&h.ws, "customers").await, 0);
    let newer = f.dir.path().join("newer.tendx");
    as_older_archive(&archive, &newer, tend::Workspace::schema_version() + 1, &[]);
    let e = h.ws.import_workspace(&newer).await.unwrap_err();
    assert!(e.to_string().contains("schema"), "{e}");
}
