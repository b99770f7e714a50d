//! Spreadsheets (XLSX, XLS, ODS) through calamine: the first or a chosen sheet, merged cells
//! filled with their value, dates as YYYY-MM-DD, whole numbers without ".0" (a phone stored as a
//! number has lost its leading 0; the phone field puts it back).

use crate::error::Result;
use crate::import::source::{file_error, nfc, split_header, Chained, Format, Opened, ReadOptions, Record, Rows};
use calamine::{open_workbook_auto, Data, Dimensions, Range, Reader, Sheets};
use std::collections::VecDeque;
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
        // A merged area shows its top-left value in every cell it covers.
        for m in &self.merged {
            if r < m.start.0 || r > m.end.0 {
                continue;
            }
            let v = self.range.get_value(m.start).map(cell_text).unwrap_or_default();
            for c in m.start.1..=m.end.1 {
                if let Some(cell) = c.checked_sub(c0).and_then(|i| cells.get_mut(i as usize)) {
                    if cell.is_empty() {
                        *cell = v.clone();
                    }
                }
            }
        }
        while cells.last().is_some_and(|c| c.is_empty()) {
            cells.pop();
        }
        Ok(Some(Record { row: u64::from(r) + 1, cells }))
    }
}

pub(crate) fn open_sheet(path: &Path, format: Format, opts: &ReadOptions) -> Result<Opened> {
    let mut book = open_workbook_auto(path).map_err(|e| file_error("import.sheet_unreadable", e.to_string()))?;
    let sheets = book.sheet_names();
    let name = match &opts.sheet {
        Some(s) => sheets
            .iter()
            .find(|n| *n == s || crate::fold::fold(n) == crate::fold::fold(s))
            .cloned()
            .ok_or_else(|| file_error("import.sheet_missing", s.clone()))?,
        None => sheets.first().cloned().ok_or_else(|| file_error("import.empty_file", ""))?,
    };
    let range = book.worksheet_range(&name).map_err(|e| file_error("import.sheet_unreadable", e.to_string()))?;
    let merged = match &mut book {
        Sheets::Xlsx(x) => x.worksheet_merge_cells(&name).and_then(|r| r.ok()).unwrap_or_default(),
        Sheets::Xls(x) => x.worksheet_merge_cells(&name).unwrap_or_default(),
        _ => vec![],
    };
    let mut rows: Box<dyn Rows> = Box::new(SheetRows { range, merged, next: 0 });
    let (headers, header_row, buffered): (Vec<String>, u64, VecDeque<Record>) =
        split_header(rows.as_mut(), opts.header_row)?;
    Ok(Opened {
        format,
        headers,
        header_row,
        encoding: None,
        delimiter: None,
        sheets: sheets.clone(),
        sheet: Some(name),
        rows: Box::new(Chained { buffered, rest: rows }),
    })
}
