//! The server's SQL stays in the portable subset a PostgreSQL-compatible distributed engine runs
//! (Citus distributing every table by `workspace_id`; CockroachDB-like engines): this test reads
//! every statement of `src/sql.rs` and the migrations and fails on anything outside it.

use std::path::Path;

fn read(rel: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)).expect(rel)
}

/// `(name, statement)` of every `pub const NAME: &str = "…";` in sql.rs.
fn statements() -> Vec<(String, String)> {
    let text = read("src/sql.rs");
    let mut out = Vec::new();
    let mut rest = text.as_str();
    while let Some(i) = rest.find("pub const ") {
        rest = &rest[i + "pub const ".len()..];
        let name = rest.split(':').next().unwrap_or_default().trim().to_string();
        let start = rest.find('"').expect("a string") + 1;
        let end = rest[start..].find("\";").expect("its end") + start;
        out.push((name, rest[start..end].replace("\\\n", " ")));
        rest = &rest[end..];
    }
    out
}

/// Statements that read or write no table: exempt from the workspace filter.
const NO_TABLE: &[&str] = &["NOTIFY", "READY", "READ_COMMITTED", "INJECT_SERIALIZATION", "INJECT_DEADLOCK"];
/// Test-only statements (never run unless TEND_SERVER_FAULTS is set).
const TEST_ONLY: &[&str] = &["INJECT_SERIALIZATION", "INJECT_DEADLOCK"];

const FORBIDDEN: &[&str] = &[
    "pg_advisory",
    "lock table",
    "xid8",
    "txid_",
    "pg_snapshot",
    "pg_current_xact",
    "pg_export_snapshot",
    "pg_logical",
    "replication",
    "nextval",
    "currval",
    "setval",
    "create sequence",
    "serial",
    "pg_sleep",
    "current_timestamp",
    "now()",
    "ctid",
    "oid",
];

#[test]
fn every_statement_is_in_the_portable_subset_and_filtered_by_workspace() {
    let all = statements();
    assert!(all.len() > 20, "sql.rs was read: {} statements", all.len());
    for (name, sql) in &all {
        let lower = sql.to_lowercase();
        if !TEST_ONLY.contains(&name.as_str()) {
            for bad in FORBIDDEN {
                // short names as whole words (`oid` is not `void`), the rest anywhere
                let hit = if ["oid", "ctid", "serial"].contains(bad) {
                    lower.split(|c: char| !c.is_alphanumeric() && c != '_').any(|w| w == *bad)
                } else {
                    lower.contains(bad)
                };
                assert!(!hit, "{name} uses {bad}: {sql}");
            }
            assert!(!lower.contains(" do $$"), "{name}: no procedural blocks: {sql}");
        }
        if NO_TABLE.contains(&name.as_str()) {
            continue;
        }
        let filtered = lower.contains("workspace_id = $1")
            || (lower.starts_with("insert into") && lower.contains("(workspace_id,") && lower.contains("values ($1"))
            || (lower.starts_with("insert into") && lower.contains("select $1,"));
        assert!(filtered, "{name} is not filtered by the workspace ($1): {sql}");
        // a join stays inside one workspace: both sides' workspace_id in its condition
        for part in lower.split(" join ").skip(1) {
            let on = part.split(" where ").next().unwrap_or(part);
            let aliases: Vec<&str> = on.split(" on ").next().unwrap_or("").split_whitespace().collect();
            let alias = aliases.get(1).copied().unwrap_or("");
            assert!(
                on.contains(&format!("{alias}.workspace_id = ")) && on.matches("workspace_id").count() >= 2,
                "{name} joins across workspaces: {sql}"
            );
        }
    }
}

#[test]
fn every_query_of_the_server_comes_from_sql_rs() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    for entry in std::fs::read_dir(&dir).expect("src") {
        let path = entry.expect("entry").path();
        if path.file_name().is_some_and(|n| n == "sql.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("source");
        for call in ["query(\"", "query_scalar(\"", "query_as(\"", "execute(\"", "fetch(\""] {
            assert!(!text.contains(call), "{} runs SQL that is not in sql.rs ({call})", path.display());
        }
    }
}

#[test]
fn every_table_and_index_leads_with_the_workspace() {
    // the statements, without their comments
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let mut files: Vec<_> = std::fs::read_dir(&dir).expect("migrations").map(|e| e.expect("entry").path()).collect();
    files.sort();
    let all: String =
        files.iter().map(|f| std::fs::read_to_string(f).expect("migration")).collect::<Vec<_>>().join("\n");
    let mig: String =
        all.to_lowercase().lines().map(|l| l.split("--").next().unwrap_or_default()).collect::<Vec<_>>().join("\n");
    let mut tables = 0;
    for chunk in mig.split("create table ").skip(1) {
        let body = chunk.split(");").next().unwrap_or(chunk);
        let name = body.split_whitespace().next().unwrap_or_default();
        assert!(
            body.contains("primary key (workspace_id"),
            "table {name}: its primary key must start with workspace_id"
        );
        tables += 1;
    }
    assert_eq!(tables, 8);
    for line in mig.lines().filter(|l| l.contains("create") && l.contains("index")) {
        assert!(line.contains("(workspace_id"), "an index must lead with workspace_id: {line}");
    }
    for bad in ["serial", "create sequence", "references", "create trigger", "create function", "create extension"] {
        assert!(!mig.contains(bad), "the schema uses {bad}");
    }
}
