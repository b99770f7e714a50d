//! Export of customers to CSV (UTF-8 with a BOM, so Excel shows Vietnamese), XLSX (typed
//! columns, frozen header, dates as dates) and vCard 3.0. Headers and values are written the way
//! the import reads them, so an exported file imports back unchanged (phones and emails keep
//! their labels as "0912 345 678 (Di động)"). Rows are streamed from a read connection.

pub mod report;

use crate::customers::{Columns, CustomerKind, Gender, Source};
use crate::error::{Error, Result};
use crate::interactions::{Direction, InteractionChannel, InteractionKind, PurchaseItem};
use crate::search::CustomerFilter;
use crate::Workspace;
use serde::{Deserialize, Serialize};
use specta::Type;
use std::path::Path;

str_enum!(ExportFormat {
    Csv = "csv",
    Xlsx = "xlsx",
    Vcf = "vcf",
});

#[derive(Debug, Clone, Serialize, Type)]
pub struct ExportReport {
    pub path: String,
    #[specta(type = i32)]
    pub rows: u64,
}

/// Built-in stages as the import recognises them (Vietnamese, as the list shows them).
fn stage_label(id: &str, name: Option<&str>) -> String {
    match (name, id) {
        (Some(n), _) => n.to_string(),
        (None, "lead") => "Tiềm năng".into(),
        (None, "prospect") => "Đang tư vấn".into(),
        (None, "customer") => "Khách hàng".into(),
        (None, "loyal") => "Thân thiết".into(),
        (None, "churned") => "Đã rời bỏ".into(),
        (None, "negative") => "Tiêu cực".into(),
        (None, other) => other.into(),
    }
}

fn source_label(s: Source) -> &'static str {
    match s {
        Source::Website => "Website",
        Source::Facebook => "Facebook",
        Source::Zalo => "Zalo",
        Source::Phone => "Gọi điện",
        Source::Email => "Email",
        Source::Referral => "Được giới thiệu",
        Source::WalkIn => "Khách vãng lai",
        Source::Event => "Sự kiện",
        Source::Other => "Khác",
    }
}

fn gender_label(g: Gender) -> &'static str {
    match g {
        Gender::Male => "Nam",
        Gender::Female => "Nữ",
        Gender::Other => "Khác",
    }
}

fn labelled(value: &str, label: &str) -> String {
    if label.trim().is_empty() {
        value.to_string()
    } else {
        format!("{value} ({label})")
    }
}

/// The fixed columns, then one per custom field (by its label).
const COLUMNS: &[&str] = &[
    "Loại",
    "Họ tên",
    "Họ",
    "Tên đệm",
    "Tên riêng",
    "Điện thoại",
    "Email",
    "Số nhà, đường",
    "Phường/Xã",
    "Quận/Huyện",
    "Tỉnh/Thành",
    "Mã số thuế",
    "Nguồn",
    "Phụ trách",
    "Giai đoạn",
    "Nhãn",
    "Ngày sinh",
    "Giới tính",
    "Doanh thu dự kiến",
    "Tiền tệ",
    "Ghi chú",
    "Mã khách hàng",
];

/// One exported row: text cells, plus the typed values XLSX writes as numbers and dates.
struct Row {
    cells: Vec<String>,
    birthday: Option<jiff::civil::Date>,
    revenue: Option<i64>,
    cols: Columns,
}

struct Names {
    staff: std::collections::HashMap<String, String>,
    stages: std::collections::HashMap<String, String>,
    fields: Vec<(String, String, crate::settings::CustomFieldKind)>, // id, label, kind
}

fn names(conn: &rusqlite::Connection) -> Result<Names> {
    let mut staff = std::collections::HashMap::new();
    let mut st = conn.prepare("SELECT id, name FROM staff")?;
    for r in st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))? {
        let (id, name) = r?;
        staff.insert(id, name);
    }
    let mut stages = std::collections::HashMap::new();
    let mut st = conn.prepare("SELECT id, name FROM stages")?;
    for r in st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?)))? {
        let (id, name) = r?;
        stages.insert(id.clone(), stage_label(&id, name.as_deref()));
    }
    let mut fields = Vec::new();
    let mut st =
        conn.prepare("SELECT id, label, kind FROM custom_fields WHERE deleted_at IS NULL ORDER BY position, label")?;
    for r in st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))? {
        let (id, label, kind) = r?;
        fields.push((id, label, crate::settings::CustomFieldKind::parse(&kind)));
    }
    Ok(Names { staff, stages, fields })
}

fn row_of(n: &Names, cols: Columns) -> Row {
    let o = |v: &Option<String>| v.clone().unwrap_or_default();
    let birthday = cols.birthday.as_deref().and_then(|b| b.parse::<jiff::civil::Date>().ok());
    let mut cells = vec![
        match cols.kind {
            CustomerKind::Person => "Cá nhân".into(),
            CustomerKind::Company => "Công ty".into(),
        },
        cols.name.clone(),
        o(&cols.family_name),
        o(&cols.middle_name),
        o(&cols.given_name),
        cols.phones
            .iter()
            .map(|p| labelled(&crate::validate::phone_display(&p.number), &p.label))
            .collect::<Vec<_>>()
            .join("; "),
        cols.emails.iter().map(|e| labelled(&e.address, &e.label)).collect::<Vec<_>>().join("; "),
        o(&cols.street),
        o(&cols.ward),
        o(&cols.district),
        o(&cols.province),
        o(&cols.tax_code),
        cols.source.map(source_label).unwrap_or("").into(),
        cols.owner_id.as_ref().and_then(|id| n.staff.get(id)).cloned().unwrap_or_default(),
        cols.stage_id.as_ref().and_then(|id| n.stages.get(id)).cloned().unwrap_or_default(),
        cols.tags.join(", "),
        birthday.map(|d| format!("{:02}/{:02}/{:04}", d.day(), d.month(), d.year())).unwrap_or_default(),
        cols.gender.map(gender_label).unwrap_or("").into(),
        cols.expected_revenue.map(|v| v.to_string()).unwrap_or_default(),
        o(&cols.currency),
        o(&cols.notes),
        o(&cols.external_id),
    ];
    for (id, _, kind) in &n.fields {
        let v = cols.custom.iter().find(|(f, _)| f == id).and_then(|(_, v)| v.clone()).unwrap_or_default();
        let v = match kind {
            crate::settings::CustomFieldKind::Date => v
                .parse::<jiff::civil::Date>()
                .map(|d| format!("{:02}/{:02}/{:04}", d.day(), d.month(), d.year()))
                .unwrap_or(v),
            crate::settings::CustomFieldKind::Checkbox => match v.as_str() {
                "true" => "Có".into(),
                "false" => "Không".into(),
                _ => v,
            },
            _ => v,
        };
        cells.push(v);
    }
    Row { cells, birthday, revenue: cols.expected_revenue, cols }
}

/// Calls `f` with each matching customer, by name.
fn each(conn: &rusqlite::Connection, filter: &CustomerFilter, mut f: impl FnMut(Columns) -> Result<()>) -> Result<u64> {
    let mut n = 0;
    for seq in crate::search::matching(conn, filter)? {
        let (_, cols) = crate::customers::write::load_columns(conn, seq)?;
        f(cols)?;
        n += 1;
    }
    Ok(n)
}

fn xlsx_err(e: rust_xlsxwriter::XlsxError) -> Error {
    Error::Io(std::io::Error::other(e.to_string()))
}

/// Writes an export through a ".partial" file beside `dest`, renamed when complete: an export
/// that fails leaves nothing behind, and never a half-written file under the real name.
fn write_whole(dest: &Path, write: impl FnOnce(&Path) -> Result<u64>) -> Result<u64> {
    let tmp = dest.with_extension("partial");
    let done = write(&tmp).and_then(|rows| Ok(std::fs::rename(&tmp, dest).map(|()| rows)?));
    if done.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    done
}

type CsvOut = csv::Writer<std::io::BufWriter<std::fs::File>>;

/// A CSV file Excel reads as UTF-8 (it needs the BOM), its header written.
fn csv_out<I: IntoIterator<Item = S>, S: AsRef<[u8]>>(path: &Path, headers: I) -> Result<CsvOut> {
    let mut f = std::fs::File::create(path)?;
    std::io::Write::write_all(&mut f, b"\xEF\xBB\xBF")?;
    let mut w = csv::Writer::from_writer(std::io::BufWriter::new(f));
    w.write_record(headers)?;
    Ok(w)
}

/// A workbook of one sheet named `name`, its header row bold and frozen.
fn xlsx_book(name: &str, headers: &[&str]) -> Result<rust_xlsxwriter::Workbook> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(name).map_err(xlsx_err)?;
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold).map_err(xlsx_err)?;
    }
    sheet.set_freeze_panes(1, 0).map_err(xlsx_err)?;
    Ok(book)
}

/// Filters on the header of the `rows` written below it, the wider columns, and the workbook
/// saved to `path`.
fn xlsx_save(
    mut book: rust_xlsxwriter::Workbook,
    rows: u32,
    columns: usize,
    widths: &[(u16, f64)],
    path: &Path,
) -> Result<()> {
    let sheet = book.worksheet_from_index(0).map_err(xlsx_err)?;
    sheet.autofilter(0, 0, rows, columns.saturating_sub(1) as u16).map_err(xlsx_err)?;
    for (c, w) in widths {
        sheet.set_column_width(*c, *w).map_err(xlsx_err)?;
    }
    book.save(path).map_err(xlsx_err)
}

fn export(db: &Path, dest: &Path, format: ExportFormat, filter: &CustomerFilter) -> Result<u64> {
    let conn = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    let n = names(&conn)?;
    let mut headers: Vec<String> = COLUMNS.iter().map(|s| s.to_string()).collect();
    headers.extend(n.fields.iter().map(|(_, label, _)| label.clone()));
    write_whole(dest, |tmp| match format {
        ExportFormat::Csv => {
            let mut w = csv_out(tmp, &headers)?;
            let rows = each(&conn, filter, |cols| Ok(w.write_record(&row_of(&n, cols).cells)?))?;
            w.flush()?;
            Ok(rows)
        }
        ExportFormat::Xlsx => {
            use rust_xlsxwriter::{ExcelDateTime, Format};
            let names: Vec<&str> = headers.iter().map(String::as_str).collect();
            let mut book = xlsx_book("Khách hàng", &names)?;
            let sheet = book.worksheet_from_index(0).map_err(xlsx_err)?;
            let date = Format::new().set_num_format("dd/mm/yyyy");
            let money = Format::new().set_num_format("#,##0");
            let mut r: u32 = 0;
            let count = each(&conn, filter, |cols| {
                r += 1;
                let row = row_of(&n, cols);
                for (c, v) in row.cells.iter().enumerate() {
                    let c = c as u16;
                    match (COLUMNS.get(c as usize).copied(), &row) {
                        (Some("Ngày sinh"), Row { birthday: Some(d), .. }) => {
                            let dt = ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)
                                .map_err(xlsx_err)?;
                            sheet.write_datetime_with_format(r, c, dt, &date).map_err(xlsx_err)?;
                        }
                        (Some("Doanh thu dự kiến"), Row { revenue: Some(v), .. }) => {
                            sheet.write_number_with_format(r, c, *v as f64, &money).map_err(xlsx_err)?;
                        }
                        _ if !v.is_empty() => {
                            sheet.write_string(r, c, v).map_err(xlsx_err)?;
                        }
                        _ => {}
                    }
                }
                Ok(())
            })?;
            xlsx_save(book, r, headers.len(), &[(1, 28.0), (5, 30.0), (6, 30.0), (7, 24.0), (20, 40.0)], tmp)?;
            Ok(count)
        }
        ExportFormat::Vcf => {
            let mut w = std::io::BufWriter::new(std::fs::File::create(tmp)?);
            let rows = each(&conn, filter, |cols| {
                std::io::Write::write_all(&mut w, vcard(&row_of(&n, cols)).as_bytes())?;
                Ok(())
            })?;
            std::io::Write::flush(&mut w)?;
            Ok(rows)
        }
    })
}

/// Escapes a vCard text value.
fn esc(s: &str) -> String {
    s.replace('\\', "\\\\").replace('\n', "\\n").replace(',', "\\,").replace(';', "\\;")
}

/// A card (vCard 3.0, folded at 75 octets).
fn vcard(row: &Row) -> String {
    let c = &row.cols;
    let mut lines = vec!["BEGIN:VCARD".to_string(), "VERSION:3.0".to_string(), format!("FN:{}", esc(&c.name))];
    match c.kind {
        CustomerKind::Person => lines.push(format!(
            "N:{};{};{};;",
            esc(c.family_name.as_deref().unwrap_or("")),
            esc(c.given_name.as_deref().unwrap_or("")),
            esc(c.middle_name.as_deref().unwrap_or(""))
        )),
        CustomerKind::Company => {
            lines.push("N:;;;;".into());
            lines.push(format!("ORG:{}", esc(&c.name)));
        }
    }
    for p in &c.phones {
        let l = crate::fold::fold(&p.label);
        let t = if l.contains("di dong") || l.contains("mobile") || l.contains("zalo") {
            "CELL"
        } else if l.contains("nha") || l.contains("home") {
            "HOME"
        } else if l.contains("cong ty") || l.contains("van phong") || l.contains("work") {
            "WORK"
        } else {
            "VOICE"
        };
        lines.push(format!("TEL;TYPE={t}:{}", crate::validate::phone_display(&p.number)));
    }
    for e in &c.emails {
        lines.push(format!("EMAIL;TYPE=INTERNET:{}", e.address));
    }
    if let Some(d) = row.birthday {
        lines.push(format!("BDAY:{d}"));
    }
    if c.street.is_some() || c.district.is_some() || c.province.is_some() {
        let street = [c.street.as_deref(), c.ward.as_deref()].iter().flatten().copied().collect::<Vec<_>>().join(", ");
        lines.push(format!(
            "ADR:;;{};{};{};;",
            esc(&street),
            esc(c.district.as_deref().unwrap_or("")),
            esc(c.province.as_deref().unwrap_or(""))
        ));
    }
    if !c.tags.is_empty() {
        lines.push(format!("CATEGORIES:{}", c.tags.iter().map(|t| esc(t)).collect::<Vec<_>>().join(",")));
    }
    if let Some(n) = &c.notes {
        lines.push(format!("NOTE:{}", esc(n)));
    }
    lines.push("END:VCARD".into());
    let mut out = String::new();
    for l in lines {
        let mut line = l.as_str();
        let mut first = true;
        while !line.is_empty() {
            let max = if first { 75 } else { 74 };
            let mut cut = line.len().min(max);
            while !line.is_char_boundary(cut) {
                cut -= 1;
            }
            if !first {
                out.push(' ');
            }
            out.push_str(&line[..cut]);
            out.push_str("\r\n");
            line = &line[cut..];
            first = false;
        }
    }
    out
}

impl Workspace {
    /// Exports the customers matching `filter` (all when empty) to `dest`.
    pub async fn export_customers(
        &self,
        dest: &Path,
        format: ExportFormat,
        filter: &CustomerFilter,
    ) -> Result<ExportReport> {
        let db = self.path().to_path_buf();
        let d = dest.to_path_buf();
        let f = self.with_segment(filter).await?;
        let rows = crate::blocking("export", move || export(&db, &d, format, &f)).await?;
        Ok(ExportReport { path: dest.display().to_string(), rows })
    }
}

/// The columns of an interactions export, named as the interactions import reads them (the
/// customer's code, first phone and first email find it again; its name is there to read).
const INTERACTION_COLUMNS: &[&str] = &[
    "Mã KH",
    "Khách hàng",
    "SĐT",
    "Email",
    "Ngày",
    "Loại",
    "Kênh",
    "Chiều",
    "Nội dung",
    "Chi tiết",
    "Sản phẩm",
    "SL",
    "Đơn giá",
    "Thành tiền",
    "Tiền tệ",
    "Nhân viên",
];

fn kind_label(k: InteractionKind) -> &'static str {
    match k {
        InteractionKind::Call => "Cuộc gọi",
        InteractionKind::Email => "Email",
        InteractionKind::Meeting => "Gặp mặt",
        InteractionKind::Chat => "Tin nhắn",
        InteractionKind::Note => "Ghi chú",
        InteractionKind::Purchase => "Mua hàng",
    }
}

fn channel_label(c: InteractionChannel) -> &'static str {
    match c {
        InteractionChannel::Phone => "Điện thoại",
        InteractionChannel::Email => "Email",
        InteractionChannel::Website => "Website",
        InteractionChannel::Facebook => "Facebook",
        InteractionChannel::Zalo => "Zalo",
        InteractionChannel::InPerson => "Trực tiếp",
        InteractionChannel::Other => "Khác",
    }
}

fn direction_label(d: Direction) -> &'static str {
    match d {
        Direction::Inbound => "Đến",
        Direction::Outbound => "Đi",
        Direction::Internal => "Nội bộ",
    }
}

/// Several items in one cell, a line each: "Áo sơ mi (2 × 250.000)". The import reads them back.
pub(crate) fn items_cell(items: &[PurchaseItem]) -> String {
    items
        .iter()
        .map(|i| format!("{} ({} × {})", i.name, i.quantity, crate::format::group(i.unit_price)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// One exported interaction: its cells, and what XLSX writes typed.
struct InteractionRow {
    cells: Vec<String>,
    at: jiff::civil::DateTime,
    quantity: Option<i64>,
    unit_price: Option<i64>,
    amount: Option<i64>,
}

fn interaction_rows(
    conn: &rusqlite::Connection,
    filter: &CustomerFilter,
    tz: &jiff::tz::TimeZone,
    mut f: impl FnMut(InteractionRow) -> Result<()>,
) -> Result<u64> {
    let staff = names(conn)?.staff;
    let mut st = conn.prepare(&format!(
        "SELECT {} FROM interactions WHERE customer_id = ? AND deleted_at IS NULL ORDER BY occurred_at, id",
        crate::interactions::INTERACTION_COLS
    ))?;
    let mut n = 0;
    for seq in crate::search::matching(conn, filter)? {
        let (id, cols) = crate::customers::write::load_columns(conn, seq)?;
        let rows = st.query_map([&id], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
                r.get(8)?,
                r.get(9)?,
                r.get(10)?,
                r.get(11)?,
                r.get(12)?,
            ))
        })?;
        for row in rows {
            let i = crate::interactions::from_row(row?)?;
            let at = jiff::Timestamp::from_millisecond(i.occurred_at)
                .map_err(|e| Error::BadTime { detail: format!("interaction {}: {e}", i.id) })?
                .to_zoned(tz.clone())
                .datetime();
            let one = (i.items.len() == 1).then(|| &i.items[0]);
            let o = |v: &Option<String>| v.clone().unwrap_or_default();
            let cells = vec![
                o(&cols.external_id),
                cols.name.clone(),
                cols.phones.first().map(|p| crate::validate::phone_display(&p.number)).unwrap_or_default(),
                cols.emails.first().map(|e| e.address.clone()).unwrap_or_default(),
                format!(
                    "{:02}/{:02}/{:04} {:02}:{:02}:{:02}",
                    at.day(),
                    at.month(),
                    at.year(),
                    at.hour(),
                    at.minute(),
                    at.second()
                ),
                kind_label(i.kind).into(),
                channel_label(i.channel).into(),
                direction_label(i.direction).into(),
                i.summary.clone(),
                o(&i.body),
                match one {
                    Some(it) => it.name.clone(),
                    None => items_cell(&i.items),
                },
                one.map(|it| it.quantity.to_string()).unwrap_or_default(),
                one.map(|it| crate::format::group(it.unit_price)).unwrap_or_default(),
                i.amount.map(crate::format::group).unwrap_or_default(),
                o(&i.currency),
                i.staff_id.as_ref().and_then(|s| staff.get(s)).cloned().unwrap_or_default(),
            ];
            f(InteractionRow {
                cells,
                at,
                quantity: one.map(|it| it.quantity),
                unit_price: one.map(|it| it.unit_price),
                amount: i.amount,
            })?;
            n += 1;
        }
    }
    Ok(n)
}

fn export_interactions(
    db: &Path,
    dest: &Path,
    format: ExportFormat,
    filter: &CustomerFilter,
    tz: &jiff::tz::TimeZone,
) -> Result<u64> {
    let conn = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    if format == ExportFormat::Vcf {
        return Err(Error::Validation(vec![crate::error::FieldError::new("format", "export.interactions_no_vcard")]));
    }
    write_whole(dest, |tmp| {
        if format == ExportFormat::Csv {
            let mut w = csv_out(tmp, INTERACTION_COLUMNS)?;
            let rows = interaction_rows(&conn, filter, tz, |r| Ok(w.write_record(&r.cells)?))?;
            w.flush()?;
            return Ok(rows);
        }
        use rust_xlsxwriter::{ExcelDateTime, Format};
        let mut book = xlsx_book("Tương tác", INTERACTION_COLUMNS)?;
        let sheet = book.worksheet_from_index(0).map_err(xlsx_err)?;
        let when = Format::new().set_num_format("dd/mm/yyyy hh:mm:ss");
        let money = Format::new().set_num_format("#,##0");
        let mut r: u32 = 0;
        let count = interaction_rows(&conn, filter, tz, |row| {
            r += 1;
            for (c, v) in row.cells.iter().enumerate() {
                let col = c as u16;
                match (INTERACTION_COLUMNS[c], &row) {
                    ("Ngày", InteractionRow { at, .. }) => {
                        let dt = ExcelDateTime::from_ymd(at.year() as u16, at.month() as u8, at.day() as u8)
                            .and_then(|d| d.and_hms(at.hour() as u16, at.minute() as u8, at.second() as u8))
                            .map_err(xlsx_err)?;
                        sheet.write_datetime_with_format(r, col, dt, &when).map_err(xlsx_err)?;
                    }
                    ("SL", InteractionRow { quantity: Some(q), .. }) => {
                        sheet.write_number(r, col, *q as f64).map_err(xlsx_err)?;
                    }
                    ("Đơn giá", InteractionRow { unit_price: Some(m), .. })
                    | ("Thành tiền", InteractionRow { amount: Some(m), .. }) => {
                        sheet.write_number_with_format(r, col, *m as f64, &money).map_err(xlsx_err)?;
                    }
                    _ if !v.is_empty() => {
                        sheet.write_string(r, col, v).map_err(xlsx_err)?;
                    }
                    _ => {}
                }
            }
            Ok(())
        })?;
        let widths = [(1, 26.0), (4, 20.0), (8, 36.0), (9, 36.0), (10, 28.0)];
        xlsx_save(book, r, INTERACTION_COLUMNS.len(), &widths, tmp)?;
        Ok(count)
    })
}

impl Workspace {
    /// Exports the interactions and purchases of the customers matching `filter` (all when
    /// empty) to CSV or XLSX, oldest first per customer, times in the workspace's time zone.
    pub async fn export_interactions(
        &self,
        dest: &Path,
        format: ExportFormat,
        filter: &CustomerFilter,
    ) -> Result<ExportReport> {
        let tz = self.zone().await?;
        let db = self.path().to_path_buf();
        let d = dest.to_path_buf();
        let f = self.with_segment(filter).await?;
        let rows = crate::blocking("export", move || export_interactions(&db, &d, format, &f, &tz)).await?;
        Ok(ExportReport { path: dest.display().to_string(), rows })
    }
}
