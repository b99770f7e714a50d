//! Import benchmark (not a test): a 1M-row CSV and a 200k-row XLSX into fresh workspaces, with
//! validation, phone normalisation, duplicate detection, search indexes and change records.
//! Then a 200k-row interactions CSV (calls and purchases of the first file's customers, found by
//! phone) into the first workspace. Prints rows/s and the process's peak memory (VmHWM) after each.
//!
//! Beside each customer file, in the same run: the baseline, a hand-written bulk insert of the
//! same rows into the same tables, indexes and full-text tables of a fresh workspace (customers,
//! their identity keys, customer_fts, phone_fts and the live counts), in one transaction, with
//! the change triggers dropped and nothing validated, normalised, folded or deduplicated.
//!
//!   cargo bench --bench import     (TEND_BENCH_ROWS=1000000,200000 and TEND_BENCH_INTERACTIONS=200000
//!                                   change the sizes)

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;
use tend::Workspace;

const FAMILY: &[&str] = &["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ"];
const MIDDLE: &[&str] = &["Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quốc", "Thu", "Bảo"];
const GIVEN: &[&str] = &[
    "An", "Bình", "Châu", "Dũng", "Giang", "Hà", "Hùng", "Khoa", "Lan", "Mai", "Nam", "Phúc", "Quỳnh", "Sơn", "Tâm",
    "Uyên", "Việt", "Yến",
];
const PROVINCES: &[&str] = &["Hà Nội", "TP. Hồ Chí Minh", "Đà Nẵng", "Hải Phòng", "Cần Thơ", "Khánh Hòa", "Nghệ An"];

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).map(|l| l.split_whitespace().nth(1).unwrap_or("0").to_string())
        })
        .and_then(|kb| kb.parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

/// Row i of the synthetic file: unique phones and emails (1 in 50 repeats an earlier phone, so
/// duplicate detection has work), a birthday, a province, a note now and then.
fn row(i: u64) -> [String; 6] {
    let f = FAMILY[(i % 12) as usize];
    let m = MIDDLE[(i / 12 % 10) as usize];
    let g = GIVEN[(i / 120 % 18) as usize];
    let n = if i % 50 == 49 { i - 7 } else { i };
    let phone = format!("09{:02} {:03} {:03}", 10 + n / 1_000_000 % 90, n / 1000 % 1000, n % 1000);
    [
        format!("{f} {m} {g}"),
        phone,
        format!("kh{i}@gmail.com"),
        format!("{:02}/{:02}/{}", 1 + i % 28, 1 + i % 12, 1960 + i % 45),
        PROVINCES[(i % 7) as usize].to_string(),
        if i.is_multiple_of(5) { format!("Khách quen, mua lần {}", i % 9) } else { String::new() },
    ]
}

const HEADERS: [&str; 6] = ["Họ tên", "Số điện thoại", "Email", "Ngày sinh", "Tỉnh/Thành", "Ghi chú"];

fn csv_file(dir: &Path, n: u64) -> PathBuf {
    let p = dir.join(format!("import-{n}.csv"));
    if !p.exists() {
        let mut w = csv::Writer::from_writer(std::io::BufWriter::new(std::fs::File::create(&p).unwrap()));
        w.write_record(HEADERS).unwrap();
        for i in 0..n {
            w.write_record(row(i)).unwrap();
        }
        w.flush().unwrap();
    }
    p
}

/// Interaction i: a call or a purchase (every third) of customer i * 7 of the first file, by the
/// phone written as that file writes it; times spread over 2025.
fn interactions_file(dir: &Path, n: u64, customers: u64) -> PathBuf {
    let p = dir.join(format!("interactions-{n}-of-{customers}.csv"));
    if !p.exists() {
        let mut w = csv::Writer::from_writer(std::io::BufWriter::new(std::fs::File::create(&p).unwrap()));
        w.write_record(["SĐT khách hàng", "Thời gian", "Loại", "Nội dung", "Sản phẩm", "Số lượng", "Đơn giá"]).unwrap();
        for i in 0..n {
            let c = i * 7 % customers;
            let c = if c % 50 == 49 { c - 1 } else { c }; // (rows 49, 99... repeat an earlier phone)
            let when = format!("{:02}/{:02}/2025 {:02}:{:02}", 1 + i % 28, 1 + i / 28 % 12, 8 + i % 10, i % 60);
            let phone = row(c)[1].clone();
            if i % 3 == 0 {
                let q = (1 + i % 4).to_string();
                w.write_record([
                    phone,
                    when,
                    "Mua hàng".into(),
                    String::new(),
                    "Cà phê hạt 500g".into(),
                    q,
                    "185000".into(),
                ])
                .unwrap();
            } else {
                let summary = format!("Gọi tư vấn lần {}", i % 5 + 1);
                w.write_record([phone, when, "Cuộc gọi".into(), summary, String::new(), String::new(), String::new()])
                    .unwrap();
            }
        }
        w.flush().unwrap();
    }
    p
}

fn xlsx_file(dir: &Path, n: u64) -> PathBuf {
    let p = dir.join(format!("import-{n}.xlsx"));
    if !p.exists() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (c, h) in HEADERS.iter().enumerate() {
            sheet.write_string(0, c as u16, *h).unwrap();
        }
        for i in 0..n {
            for (c, v) in row(i).iter().enumerate() {
                if !v.is_empty() {
                    sheet.write_string(i as u32 + 1, c as u16, v).unwrap();
                }
            }
        }
        book.save(&p).unwrap();
    }
    p
}

fn report(file: &Path, r: &tend::import::ImportReport, secs: f64) {
    println!(
        "| {} | {} | {} | {} | {:.1} | {:.0} | {:.0} |",
        file.file_name().unwrap().to_string_lossy(),
        r.rows,
        r.imported,
        r.skipped,
        secs,
        r.rows as f64 / secs,
        peak_rss_mb()
    );
    std::io::stdout().flush().unwrap();
}

/// The baseline for `file` (a CSV or XLSX of `rows`, read back with the same column order):
/// returns the seconds it took, reading included.
fn raw_insert(rt: &tokio::runtime::Runtime, file: &Path, ws_path: &Path) -> f64 {
    for ext in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{ext}", ws_path.display()));
    }
    rt.block_on(async { Workspace::open(ws_path).await.unwrap().close().await });
    let conn = rusqlite::Connection::open(ws_path).unwrap();
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -200000;
         PRAGMA temp_store = MEMORY; PRAGMA foreign_keys = ON;",
    )
    .unwrap();
    let triggers: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%_changes_%'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for t in triggers {
        conn.execute_batch(&format!("DROP TRIGGER {t}")).unwrap();
    }
    let t = Instant::now();
    let rows: Box<dyn Iterator<Item = Vec<String>>> = if file.extension().is_some_and(|e| e == "csv") {
        let r = csv::Reader::from_path(file).unwrap();
        Box::new(r.into_records().map(|r| r.unwrap().iter().map(String::from).collect()))
    } else {
        use calamine::Reader;
        let mut book = calamine::open_workbook_auto(file).unwrap();
        let range = book.worksheet_range_at(0).unwrap().unwrap();
        let rows: Vec<Vec<String>> = range.rows().skip(1).map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
        Box::new(rows.into_iter())
    };
    conn.execute_batch("BEGIN IMMEDIATE").unwrap();
    {
        let mut ins = conn
            .prepare(
                "INSERT INTO customers (id, kind, name, phones, emails, province, birthday, notes, created_at,
                 updated_at, name_folded) VALUES (?, 'person', ?, ?, ?, ?, ?, ?, 0, 0, ?)",
            )
            .unwrap();
        let mut key = conn.prepare("INSERT OR IGNORE INTO customer_keys (key, customer_seq) VALUES (?, ?)").unwrap();
        let mut fts = conn.prepare("INSERT INTO customer_fts (rowid, name, body) VALUES (?, ?, ?)").unwrap();
        let mut phone = conn.prepare("INSERT INTO phone_fts (rowid, digits) VALUES (?, ?)").unwrap();
        let mut pending: Vec<(i64, String, String, String)> = Vec::new();
        for (i, row) in rows.enumerate() {
            let cell = |c: usize| row.get(c).filter(|v| !v.is_empty()).cloned();
            let name = cell(0).unwrap_or_default();
            let number = cell(1).unwrap_or_default();
            let email = cell(2).unwrap_or_default();
            let notes = cell(5);
            ins.execute(rusqlite::params![
                format!("00000000-0000-7000-8000-{i:012x}"),
                name,
                format!(r#"[{{"label":"mobile","number":"{number}"}}]"#),
                format!(r#"[{{"label":"personal","address":"{email}"}}]"#),
                cell(4),
                cell(3),
                notes,
                name,
            ])
            .unwrap();
            let seq = conn.last_insert_rowid();
            key.execute(rusqlite::params![format!("p:{number}"), seq]).unwrap();
            key.execute(rusqlite::params![format!("e:{email}"), seq]).unwrap();
            pending.push((seq, name, format!("{email} \n {}", notes.unwrap_or_default()), number));
            // full-text rows back to back, as a bulk loader of FTS5 does: between inserts into
            // other tables (whose triggers open statement savepoints) FTS5 writes its pending
            // terms out every time
            if pending.len() == 5000 {
                for (seq, name, body, number) in pending.drain(..) {
                    fts.execute(rusqlite::params![seq, name, body]).unwrap();
                    phone.execute(rusqlite::params![seq, number]).unwrap();
                }
            }
        }
        for (seq, name, body, number) in pending.drain(..) {
            fts.execute(rusqlite::params![seq, name, body]).unwrap();
            phone.execute(rusqlite::params![seq, number]).unwrap();
        }
    }
    conn.execute_batch("COMMIT").unwrap();
    t.elapsed().as_secs_f64()
}

fn main() {
    let sizes: Vec<u64> = std::env::var("TEND_BENCH_ROWS")
        .unwrap_or_else(|_| "1000000,200000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let interactions: u64 =
        std::env::var("TEND_BENCH_INTERACTIONS").ok().and_then(|s| s.trim().parse().ok()).unwrap_or(200_000);
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target").join("bench-data");
    std::fs::create_dir_all(&dir).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    println!("| file | rows | imported | skipped | seconds | rows/s | peak RSS MB |");
    for (i, n) in sizes.iter().enumerate() {
        let file = if i == 0 { csv_file(&dir, *n) } else { xlsx_file(&dir, *n) };
        let ws_path = dir.join(format!("import-target-{i}.tend"));
        for ext in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{ext}", ws_path.display()));
        }
        let _ = std::fs::remove_dir_all(dir.join("backups"));
        let ws = rt.block_on(Workspace::open(&ws_path)).unwrap();
        let t = Instant::now();
        let r = rt.block_on(ws.import(&file, &Default::default(), |_| {}, Default::default())).unwrap();
        let secs = t.elapsed().as_secs_f64();
        report(&file, &r, secs);
        let raw = raw_insert(&rt, &file, &dir.join(format!("import-raw-{i}.tend")));
        println!(
            "| {} by hand (baseline) | {} | | | {raw:.1} | {:.0} | {:.0} | Tend/baseline {:.2}x",
            file.file_name().unwrap().to_string_lossy(),
            r.rows,
            r.rows as f64 / raw,
            peak_rss_mb(),
            secs / raw
        );
        if i == 0 && interactions > 0 {
            let file = interactions_file(&dir, interactions, *n);
            let opts =
                tend::import::ImportOptions { entity: tend::import::ImportEntity::Interactions, ..Default::default() };
            let t = Instant::now();
            let r = rt.block_on(ws.import(&file, &opts, |_| {}, Default::default())).unwrap();
            assert_eq!(r.failed_rows, 0, "{:?}", &r.failed[..r.failed.len().min(3)]);
            report(&file, &r, t.elapsed().as_secs_f64());
        }
        rt.block_on(ws.close());
    }
}
