//! The `tend` CLI under hostile input (issue 23): sentences instead of keys, a closed pipe, `-`
//! as standard output, broken segments listed, deals deleted and restored, money bounded.
use serde_json::{json, Value};
use std::process::{Command, Stdio};

fn run(db: &std::path::Path, args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tend"));
    cmd.arg("--db").arg(db).args(args).env("LANG", "C").stdout(Stdio::piped()).stderr(Stdio::piped());
    cmd.stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() });
    let mut child = cmd.spawn().expect("run tend");
    if let (Some(text), Some(mut input)) = (stdin, child.stdin.take()) {
        std::io::Write::write_all(&mut input, text.as_bytes()).expect("stdin");
    }
    let out = child.wait_with_output().expect("tend ends");
    let s = |b: &[u8]| String::from_utf8_lossy(b).to_string();
    (out.status.code().unwrap_or(-1), s(&out.stdout), s(&out.stderr))
}

fn json_of(db: &std::path::Path, args: &[&str]) -> Value {
    let (code, out, err) = run(db, args, None);
    assert_eq!(code, 0, "{args:?}: {err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: {e}: {out}"))
}

#[test]
fn errors_are_sentences_in_the_workspace_language_naming_what_was_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.tend");
    let rules = json!({"all": [{"field": "age", "op": "gte", "value": -8000}]}).to_string();
    let (code, _, err) = run(&db, &["segment", "count", "--rules", "-"], Some(&rules));
    assert_eq!(code, 2, "{err}");
    assert!(!err.contains("segment.value_invalid") && err.contains("0 to 150"), "{err}");
    // the stage code named wrong: the codes there are
    let rules = json!({"all": [{"field": "stage", "op": "eq", "value": "Leed"}]}).to_string();
    let (code, _, err) = run(&db, &["segment", "count", "--rules", "-"], Some(&rules));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("Leed") && err.contains("lead"), "{err}");
    // a rules file saved by Notepad (a byte order mark first) reads
    let path = dir.path().join("rules.json");
    std::fs::write(&path, format!("\u{feff}{}", json!({"all": [{"field": "stage", "op": "eq", "value": "Lead"}]})))
        .unwrap();
    let (code, out, err) = run(&db, &["segment", "count", "--rules", path.to_str().unwrap()], None);
    assert_eq!((code, out.trim()), (0, "0"), "{err}");
    // not found names the id
    let (code, _, err) = run(&db, &["deal", "delete", "nosuch"], None);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("nosuch") && !err.contains("error."), "{err}");
    // in Vietnamese once the workspace says so
    let (code, _, err) = run(&db, &["settings", "set", "language", "vi"], None);
    assert_eq!(code, 0, "{err}");
    let c = json_of(&db, &["customer", "add", "--name", "An", "--json"]);
    let (code, _, err) = run(&db, &["customer", "bulk", "--id", c["id"].as_str().unwrap(), "--add-tag", "a,b"], None);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("dấu phẩy") && err.contains("a,b"), "{err}");
}

#[test]
fn a_closed_pipe_ends_quietly_and_dash_is_standard_output() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.tend");
    let (code, _, err) = run(&db, &["demo", "--customers", "2000"], None);
    assert_eq!(code, 0, "{err}");
    let dir2 = tempfile::tempdir().unwrap();
    let rules = dir2.path().join("all.json");
    std::fs::write(&rules, "{\"all\": []}").unwrap();
    let seg = json_of(&db, &["segment", "create", "--name", "Mọi khách", "--rules", rules.to_str().unwrap(), "--json"]);
    let id = seg["id"].as_str().unwrap();
    // more than a pipe holds (64 KiB), read by something that stops at once
    let tend = env!("CARGO_BIN_EXE_tend");
    for args in [format!("segment members {id} --limit 500 --json"), "export customers -".to_string()] {
        let out = Command::new("bash")
            .arg("-c")
            .arg(format!("'{tend}' --db '{}' {args} | head -c 10 >/dev/null; exit ${{PIPESTATUS[0]}}", db.display()))
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args}: {err}");
        assert!(!err.contains("panicked"), "{args}: {err}");
    }
    // `-` is standard output: the CSV there, the summary on standard error, no file named "-"
    let (code, out, err) = run(&db, &["export", "customers", "-", "--format", "csv"], None);
    assert_eq!(code, 0, "{err}");
    assert!(out.lines().count() > 2000, "{} lines", out.lines().count());
    assert!(err.contains("2000 customers exported"), "{err}");
    assert!(!std::path::Path::new("-").exists() && !dir.path().join("-").exists());
}

#[test]
fn broken_segments_are_listed_with_their_problem_and_deals_go_to_the_trash() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.tend");
    let c = json_of(&db, &["customer", "add", "--name", "Bình", "--json"]);
    let cid = c["id"].as_str().unwrap();
    let rules = dir.path().join("r.json");
    std::fs::write(&rules, json!({"all": [{"field": "age", "op": "gte", "value": 1}]}).to_string()).unwrap();
    let a = json_of(&db, &["segment", "create", "--name", "A", "--rules", rules.to_str().unwrap(), "--json"]);
    let a_id = a["id"].as_str().unwrap();
    std::fs::write(&rules, json!({"all": [{"field": "segment", "op": "eq", "value": a_id}]}).to_string()).unwrap();
    json_of(&db, &["segment", "create", "--name", "B", "--rules", rules.to_str().unwrap(), "--json"]);
    // another device makes A use itself
    let now = jiff::Timestamp::now().as_millisecond();
    let tx = json!({"hlc": format!("{now:013}:00001:otherdevice"), "at_ms": now, "actor": null,
        "device": "otherdevice", "records": [{"table": "segments", "row_id": a_id, "op": "set", "column": "rules",
        "value": json!({"all": [{"field": "segment", "op": "eq", "value": a_id}]}).to_string()}]});
    let file = dir.path().join("tx.json");
    std::fs::write(&file, tx.to_string()).unwrap();
    let (code, _, err) = run(&db, &["changes", "apply", file.to_str().unwrap()], None);
    if code != 0 {
        // the record format is the one `changes show --json` prints; see it to write it right
        let shown = json_of(&db, &["changes", "list", "--json"]);
        panic!("{err}\n{shown}");
    }
    let list = json_of(&db, &["segment", "list", "--json"]);
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2);
    for s in list {
        assert!(s["count"].is_null() && s["problem"].as_str().is_some_and(|p| !p.contains("segment.")), "{s}");
    }
    let (code, out, _) = run(&db, &["segment", "list"], None);
    assert_eq!(code, 0);
    assert!(out.contains("cannot be read"), "{out}");
    let (code, _, err) = run(&db, &["segment", "delete", a_id], None);
    assert_eq!(code, 0, "{err}");

    // deals: money bounded, delete, trash, restore
    let (code, _, err) =
        run(&db, &["deal", "add", "--customer", cid, "--title", "x", "--amount", "9223372036854775807"], None);
    assert_eq!(code, 2, "{err}");
    let d = json_of(
        &db,
        &["deal", "add", "--customer", cid, "--title", "Gói năm", "--amount", "1000000000000000", "--json"],
    );
    let did = d["id"].as_str().unwrap();
    json_of(&db, &["deal", "list", "--json"]);
    json_of(&db, &["deal", "delete", did, "--json"]);
    let trash = json_of(&db, &["deal", "trash", "--json"]);
    assert_eq!(trash[0]["id"], did);
    json_of(&db, &["deal", "restore", did, "--json"]);
    assert_eq!(json_of(&db, &["deal", "trash", "--json"]), json!([]));
    // an interaction a thousand years ahead: refused; two days ahead: asked, then confirmed
    let (code, _, err) =
        run(&db, &["interaction", "add", "--customer", cid, "--kind", "note", "--at", "3000-01-01T00:00:00Z"], None);
    assert_eq!(code, 2, "{err}");
    let soon = jiff::Timestamp::now().checked_add(jiff::SignedDuration::from_hours(50)).unwrap().to_string();
    let (code, _, err) = run(&db, &["interaction", "add", "--customer", cid, "--kind", "note", "--at", &soon], None);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("more than a day"), "{err}");
    let (code, _, err) =
        run(&db, &["interaction", "add", "--customer", cid, "--kind", "note", "--at", &soon, "--confirm"], None);
    assert_eq!(code, 0, "{err}");
}
