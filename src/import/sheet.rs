//! Spreadsheets (XLSX, XLS, ODS) through calamine: the first or a chosen sheet, merged cells
//! filled with their value, dates as YYYY-MM-DD, whole numbers without ".0" (a phone stored as a
//! number has lost its leading 0; the phone field puts it back).

use crate::error::{Error, Result};
use crate::import::source::{
    file_error, nfc, split_header, Ahead, Behind, Chained, Format, Opened, ReadOptions, Record, Rows,
};
use calamine::{open_workbook, open_workbook_auto, Data, Dimensions, Range, Reader, Sheets, Xlsx};
use std::collections::HashMap;
use std::fs::File;
use std::io::BufReader;
use std::path::Path;

/// A cell as text.
pub(crate) fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) => nfc(s),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                format!("{}", *f as i64)
            } else {
                f.to_string()
            }
        }
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => match dt.as_datetime() {
            Some(t) if t.time() == Default::default() => t.date().to_string(),
            Some(t) => {
                let s = t.to_string(); // "1985-03-15 08:30:00", seconds only when not zero
                let s = s.split('.').next().unwrap_or(&s);
                s.strip_suffix(":00").unwrap_or(s).to_string()
            }
            None => dt.as_f64().to_string(),
        },
        Data::DateTimeIso(s) => s.split('T').next().unwrap_or(s).to_string(),
        Data::DurationIso(s) => s.clone(),
    }
}

struct SheetRows {
    range: Range<Data>,
    merged: Vec<Dimensions>,
    next: u32,
}

impl Rows for SheetRows {
    fn next_record(&mut self) -> Result<Option<Record>> {
        let Some((r0, c0)) = self.range.start() else { return Ok(None) };
        let (h, w) = self.range.get_size();
        if (self.next as usize) >= h {
            return Ok(None);
        }
        let r = r0 + self.next;
        self.next += 1;
        let mut cells: Vec<String> =
            (0..w as u32).map(|c| self.range.get_value((r, c0 + c)).map(cell_text).unwrap_or_default()).collect();
        let range = &self.range;
        fill_merged(&mut cells, r, c0, &self.merged, |m| range.get_value(m.start).map(cell_text).unwrap_or_default());
        Ok(Some(Record::bounded(u64::from(r) + 1, cells)))
    }
}

/// Fills a row's cells from the merged areas that cover it: an area shows its top-left value in
/// every cell it covers. `origin` is the sheet column of `cells[0]`.
fn fill_merged(
    cells: &mut Vec<String>,
    r: u32,
    origin: u32,
    merged: &[Dimensions],
    top_left: impl Fn(&Dimensions) -> String,
) {
    for m in merged {
        if r < m.start.0 || r > m.end.0 {
            continue;
        }
        let v = top_left(m);
        if v.is_empty() {
            continue;
        }
        for c in m.start.1..=m.end.1 {
            let Some(i) = c.checked_sub(origin).map(|i| i as usize) else { continue };
            if cells.len() <= i {
                cells.resize(i + 1, String::new());
            }
            if cells[i].is_empty() {
                cells[i] = v.clone();
            }
        }
    }
    while cells.last().is_some_and(|c| c.is_empty()) {
        cells.pop();
    }
}

/// XLSX rows, read cell by cell on a thread of their own a few hundred rows ahead of the importer:
/// memory stays flat however long the sheet is (only the workbook's shared strings are held, as
/// Excel itself does), and reading the XML overlaps with writing the rows. Stops quietly when
/// nobody is listening any more.
fn stream_xlsx(mut book: Xlsx<BufReader<File>>, name: String, merged: Vec<Dimensions>, tx: Behind<Record>) {
    let unreadable = |e: calamine::XlsxError| file_error("import.sheet_unreadable", e.to_string());
    let mut cells_reader = match book.worksheet_cells_reader(&name) {
        Ok(r) => r,
        Err(e) => {
            let _ = tx.send(Err(unreadable(e)));
            return;
        }
    };
    let origin = cells_reader.dimensions().start.1;
    let mut merges = Merges::new(merged);
    let mut row: Option<(u32, Vec<String>)> = None;
    let emit = |(r, mut cells): (u32, Vec<String>), merges: &mut Merges| {
        merges.reach(r);
        let tops = &merges.tops;
        fill_merged(&mut cells, r, origin, &merges.active, |m| tops.get(&m.start).cloned().unwrap_or_default());
        tx.send(Ok(Some(Record::bounded(u64::from(r) + 1, cells)))).is_ok()
    };
    loop {
        let cell = match cells_reader.next_cell() {
            Ok(Some(c)) => c,
            Ok(None) => break,
            Err(e) => {
                let _ = tx.send(Err(unreadable(e)));
                return;
            }
        };
        let (r, c) = cell.get_position();
        let text = cell_text(&Data::from(cell.get_value().clone()));
        if let Some(top) = merges.tops.get_mut(&(r, c)) {
            top.clone_from(&text);
        }
        if row.as_ref().is_some_and(|(at, _)| *at != r) {
            if let Some(done) = row.take() {
                if !emit(done, &mut merges) {
                    return;
                }
            }
        }
        let (_, cells) = row.get_or_insert_with(|| (r, Vec::new()));
        let Some(i) = c.checked_sub(origin).map(|i| i as usize) else { continue };
        if cells.len() <= i {
            cells.resize(i + 1, String::new());
        }
        cells[i] = text;
    }
    if let Some(done) = row.take() {
        if !emit(done, &mut merges) {
            return;
        }
    }
    let _ = tx.send(Ok(None));
}

/// The merged areas of a sheet read top to bottom: the top-left values seen so far, and for each
/// row the areas covering it (a sheet of many thousand merged areas costs each row only its own).
struct Merges {
    /// not reached yet, by first row
    waiting: std::collections::VecDeque<Dimensions>,
    active: Vec<Dimensions>,
    tops: HashMap<(u32, u32), String>,
}

impl Merges {
    fn new(mut merged: Vec<Dimensions>) -> Merges {
        merged.sort_by_key(|m| m.start.0);
        let tops = merged.iter().map(|m| (m.start, String::new())).collect();
        Merges { waiting: merged.into(), active: Vec::new(), tops }
    }

    /// Makes `active` the areas covering row `r` (rows come in order).
    fn reach(&mut self, r: u32) {
        while self.waiting.front().is_some_and(|m| m.start.0 <= r) {
            self.active.extend(self.waiting.pop_front());
        }
        self.active.retain(|m| m.end.0 >= r);
    }
}

fn pick_sheet(sheets: &[String], wanted: &Option<String>) -> Result<String> {
    match wanted {
        Some(s) => sheets
            .iter()
            .find(|n| *n == s || crate::fold::fold(n) == crate::fold::fold(s))
            .cloned()
            .ok_or_else(|| file_error("import.sheet_missing", s.clone())),
        None => sheets.first().cloned().ok_or_else(|| file_error("import.empty_file", "")),
    }
}

fn opened(
    format: Format,
    sheets: Vec<String>,
    name: String,
    mut rows: Box<dyn Rows>,
    opts: &ReadOptions,
) -> Result<Opened> {
    let (headers, header_row, buffered) = split_header(rows.as_mut(), opts.header_row)?;
    Ok(Opened {
        format,
        headers,
        header_row,
        encoding: None,
        delimiter: None,
        sheets,
        sheet: Some(name),
        rows: Box::new(Chained { buffered, rest: rows }),
    })
}

pub(crate) fn open_sheet(path: &Path, format: Format, opts: &ReadOptions) -> Result<Opened> {
    // A text past the row bound is never read whole: such a file is read from a copy with it cut.
    let copy = match format {
        Format::Xlsx | Format::Ods => crate::import::cut::bounded_copy(path)?,
        _ => None,
    };
    if format == Format::Xlsx {
        let xlsx_err = |e: calamine::XlsxError| file_error("import.sheet_unreadable", e.to_string());
        let mut book: Xlsx<BufReader<File>> = match copy {
            Some(f) => Xlsx::new(BufReader::new(f)).map_err(xlsx_err)?,
            None => open_workbook(path).map_err(xlsx_err)?,
        };
        let sheets = book.sheet_names();
        let name = pick_sheet(&sheets, &opts.sheet)?;
        let merged = book.worksheet_merge_cells(&name).and_then(|r| r.ok()).unwrap_or_default();
        let (tx, rows) = Ahead::channel(512);
        let thread_name = name.clone();
        std::thread::Builder::new()
            .name("tend-xlsx".into())
            .spawn(move || stream_xlsx(book, thread_name, merged, tx))
            .map_err(Error::Io)?;
        return opened(format, sheets, name, Box::new(rows), opts);
    }
    let mut book = match copy {
        Some(f) => Sheets::Ods(
            calamine::Ods::new(BufReader::new(f)).map_err(|e| file_error("import.sheet_unreadable", e.to_string()))?,
        ),
        None => open_workbook_auto(path).map_err(|e| file_error("import.sheet_unreadable", e.to_string()))?,
    };
    let sheets = book.sheet_names();
    let name = pick_sheet(&sheets, &opts.sheet)?;
    let range = book.worksheet_range(&name).map_err(|e| file_error("import.sheet_unreadable", e.to_string()))?;
    let merged = match &mut book {
        Sheets::Xlsx(x) => x.worksheet_merge_cells(&name).and_then(|r| r.ok()).unwrap_or_default(),
        Sheets::Xls(x) => x.worksheet_merge_cells(&name).unwrap_or_default(),
        _ => vec![],
    };
    opened(format, sheets, name, Box::new(SheetRows { range, merged, next: 0 }), opts)
}
