//! Reading import files as rows of text cells, streamed: CSV/text in any common delimiter and
//! encoding, spreadsheets (XLSX, XLS, ODS) and vCards. A title row above the header is found and
//! skipped (or chosen). Every row keeps its number as the user sees it in the file.

use crate::error::{Error, FieldError, Result};
use crate::import::mapping::known_target;
use serde::{Deserialize, Serialize};
use specta::Type;
use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use unicode_normalization::UnicodeNormalization;

str_enum!(Format {
    Csv = "csv",
    Xlsx = "xlsx",
    Xls = "xls",
    Ods = "ods",
    Vcf = "vcf",
});

str_enum!(TextEncoding {
    Auto = "auto",
    Utf8 = "utf-8",
    Utf16 = "utf-16",
    Windows1258 = "windows-1258",
});

/// One row of the file: its number as a spreadsheet shows it (the header is a row too; a CSV
/// record with line breaks inside quotes is one row) and its cells, NFC-normalised.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub row: u64,
    pub cells: Vec<String>,
    /// The column where the row went past [`MAX_ROW_TEXT`] (one huge cell, or a great many):
    /// that cell holds only its beginning, the cells after it are left out, and the row is
    /// rejected.
    pub too_long: Option<usize>,
}

/// The most text one row of a file may hold, its cells together (so one cell too): 1 MiB, far
/// beyond any field (a note holds 20,000 characters). Readers never hold more of a row than
/// this: a longer cell is not read whole, the row is rejected naming it.
pub const MAX_ROW_TEXT: usize = 1 << 20;

/// What the XLSX/ODS reader leaves at the end of a text it cut at [`MAX_ROW_TEXT`] (a character
/// for private use, which no cell holds).
pub(crate) const CUT: char = '\u{10FFFD}';

impl Record {
    /// A row whose cells were read as they are: held to [`MAX_ROW_TEXT`] (a cell cut by the
    /// reader ends with [`CUT`]).
    pub(crate) fn bounded(row: u64, mut cells: Vec<String>) -> Record {
        let mut total = 0usize;
        for i in 0..cells.len() {
            total += cells[i].len() + 1;
            if total > MAX_ROW_TEXT || cells[i].ends_with(CUT) {
                let cut = crate::validate::echo(cells[i].trim_end_matches(CUT));
                cells.truncate(i);
                cells.push(cut);
                return Record { row, cells, too_long: Some(i) };
            }
        }
        Record { row, cells, too_long: None }
    }
}

pub(crate) trait Rows: Send {
    fn next_record(&mut self) -> Result<Option<Record>>;
}

/// What a thread working ahead of the importer hands over: items in order, then `Ok(None)` at the
/// end, or the error that stopped it. A thread that goes away without saying either (it panicked)
/// is an error too: a file is never taken as shorter than it is.
pub(crate) struct Ahead<T> {
    rx: std::sync::mpsc::Receiver<Result<Option<T>>>,
    ended: bool,
}

/// The sending half for `Ahead`: a send fails once the receiver is gone (a preview that has its
/// rows, a cancelled or failed import), and the thread should then stop.
pub(crate) type Behind<T> = std::sync::mpsc::SyncSender<Result<Option<T>>>;

impl<T> Ahead<T> {
    /// A channel holding up to `depth` items not yet taken.
    pub(crate) fn channel(depth: usize) -> (Behind<T>, Ahead<T>) {
        let (tx, rx) = std::sync::mpsc::sync_channel(depth);
        (tx, Ahead { rx, ended: false })
    }

    pub(crate) fn next(&mut self) -> Result<Option<T>> {
        if self.ended {
            return Ok(None);
        }
        let got = self.rx.recv().unwrap_or_else(|_| {
            Err(crate::error::Error::Io(std::io::Error::other("the file's reader stopped before the end of the file")))
        });
        if !matches!(got, Ok(Some(_))) {
            self.ended = true;
        }
        got
    }
}

impl Rows for Ahead<Record> {
    fn next_record(&mut self) -> Result<Option<Record>> {
        self.next()
    }
}

/// How to read a file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(default)]
pub struct ReadOptions {
    /// Guessed from the extension (then the content) when not given.
    pub format: Option<Format>,
    pub encoding: Option<TextEncoding>,
    /// A sheet by name (spreadsheets); the first sheet when not given.
    pub sheet: Option<String>,
    /// The header's row number (1 = first row); found automatically when not given.
    #[specta(type = Option<i32>)]
    pub header_row: Option<u64>,
}

/// An open file: its header, what was detected, and the rows after the header.
pub(crate) struct Opened {
    pub format: Format,
    pub headers: Vec<String>,
    pub header_row: u64,
    pub encoding: Option<&'static str>,
    pub delimiter: Option<char>,
    pub sheets: Vec<String>,
    pub sheet: Option<String>,
    pub rows: Box<dyn Rows>,
}

pub(crate) fn file_error(key: &str, detail: impl Into<String>) -> Error {
    Error::Validation(vec![FieldError::new("file", key).with("detail", detail)])
}

pub(crate) fn nfc(s: &str) -> String {
    if s.is_ascii() {
        s.to_string()
    } else {
        s.nfc().collect()
    }
}

/// The format of a file, from its extension or, failing that, its first bytes.
pub(crate) fn detect_format(path: &Path) -> Result<Format> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "csv" | "txt" | "tsv" | "tab" => return Ok(Format::Csv),
        "xlsx" | "xlsm" => return Ok(Format::Xlsx),
        "xls" => return Ok(Format::Xls),
        "ods" => return Ok(Format::Ods),
        "vcf" | "vcard" => return Ok(Format::Vcf),
        _ => {}
    }
    let mut head = [0u8; 512];
    let n = File::open(path)?.read(&mut head)?;
    let head = &head[..n];
    if head.starts_with(b"PK\x03\x04") {
        // a zip: ODS names its mimetype first, XLSX does not
        return Ok(if head.windows(11).any(|w| w == b"opendocumen") { Format::Ods } else { Format::Xlsx });
    }
    if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Ok(Format::Xls);
    }
    let text = String::from_utf8_lossy(head).to_ascii_uppercase();
    if text.trim_start_matches('\u{feff}').trim_start().starts_with("BEGIN:VCARD") {
        return Ok(Format::Vcf);
    }
    Ok(Format::Csv)
}

pub(crate) fn open(path: &Path, opts: &ReadOptions) -> Result<Opened> {
    if !path.is_file() {
        return Err(file_error("import.file_missing", path.display().to_string()));
    }
    let format = match opts.format {
        Some(f) => f,
        None => detect_format(path)?,
    };
    match format {
        Format::Csv => open_csv(path, opts),
        Format::Xlsx | Format::Xls | Format::Ods => crate::import::sheet::open_sheet(path, format, opts),
        Format::Vcf => crate::import::vcard::open_vcf(path, opts),
    }
}

// --- header detection ------------------------------------------------------------------------

/// Reads up to 10 rows and picks the header: the given row, or the row that names the most known
/// columns (a title row above it names none), or the first row with as many filled cells as the
/// widest of them. Returns the header and the rows after it, still to be read.
pub(crate) fn split_header(
    rows: &mut dyn Rows,
    header_row: Option<u64>,
) -> Result<(Vec<String>, u64, VecDeque<Record>)> {
    let mut head: VecDeque<Record> = VecDeque::new();
    let wanted = header_row.unwrap_or(0);
    while head.len() < 10 || head.back().is_some_and(|r| r.row < wanted) {
        match rows.next_record()? {
            Some(r) => head.push_back(r),
            None => break,
        }
    }
    if head.is_empty() {
        return Err(file_error("import.empty_file", ""));
    }
    let filled = |r: &Record| r.cells.iter().filter(|c| !c.trim().is_empty()).count();
    let pick = if let Some(n) = header_row {
        head.iter().position(|r| r.row == n).ok_or_else(|| file_error("import.header_row_missing", n.to_string()))?
    } else {
        let widest = head.iter().map(filled).max().unwrap_or(0);
        let known = |r: &Record| r.cells.iter().filter(|c| known_target(c).is_some()).count();
        let best_known = head.iter().map(known).max().unwrap_or(0);
        if best_known > 0 {
            head.iter().position(|r| known(r) == best_known).unwrap_or(0)
        } else {
            head.iter().position(|r| filled(r) >= widest.clamp(1, 2) && filled(r) * 2 >= widest).unwrap_or(0)
        }
    };
    let Some(header) = head.drain(..=pick).next_back() else {
        return Err(file_error("import.empty_file", ""));
    };
    let mut headers: Vec<String> = header.cells.iter().map(|c| header_name(c)).collect();
    // Name unnamed and repeated columns so each can be mapped: "#3", "SĐT (2)".
    for i in 0..headers.len() {
        if headers[i].is_empty() {
            headers[i] = format!("#{}", i + 1);
        }
        let same = headers[..i].iter().filter(|h| **h == headers[i]).count();
        if same > 0 {
            headers[i] = format!("{} ({})", headers[i], same + 1);
        }
    }
    Ok((headers, header.row, head))
}

/// A header cell as its column's name: whitespace collapsed, control characters left out (it
/// names a column; it is no customer's data).
fn header_name(cell: &str) -> String {
    let kept: String = cell.chars().filter(|c| !c.is_control() || c.is_whitespace()).collect();
    crate::validate::text(&kept).unwrap_or_default()
}

/// Rows already read (during header detection) followed by the rest of the file; rows with no
/// text at all are passed over (they are not customers and not errors).
pub(crate) struct Chained {
    pub buffered: VecDeque<Record>,
    pub rest: Box<dyn Rows>,
}

impl Rows for Chained {
    fn next_record(&mut self) -> Result<Option<Record>> {
        loop {
            let r = match self.buffered.pop_front() {
                Some(r) => Some(r),
                None => self.rest.next_record()?,
            };
            match r {
                Some(r) if r.cells.iter().all(|c| c.trim().is_empty()) => continue,
                other => return Ok(other),
            }
        }
    }
}

// --- CSV and text ----------------------------------------------------------------------------

/// UTF-16 without a BOM, told by its NUL bytes: text that is mostly Latin (as Vietnamese is, with
/// its delimiters, digits and spaces) has a zero high byte in many characters, on the same side
/// of every pair (odd offsets little-endian, even offsets big-endian). Text in any 8-bit
/// encoding has no NUL at all.
fn utf16_by_nuls(head: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let pairs = head.len() / 2;
    if pairs < 2 {
        return None;
    }
    let even = head.iter().step_by(2).filter(|b| **b == 0).count();
    let odd = head.iter().skip(1).step_by(2).filter(|b| **b == 0).count();
    if odd * 4 >= pairs && even * 10 <= odd {
        Some(encoding_rs::UTF_16LE)
    } else if even * 4 >= pairs && odd * 10 <= even {
        Some(encoding_rs::UTF_16BE)
    } else {
        None
    }
}

/// Whether decoded text cannot be what the file says: NULs in number (UTF-16 read as an 8-bit
/// encoding has one in every other character; a stray one is a cell's problem, not the file's),
/// or, read as UTF-16, mostly characters that are neither Latin letters nor common signs (8-bit
/// text read as UTF-16 turns into rows of CJK ideographs).
fn misread(sample: &str, enc: &'static encoding_rs::Encoding) -> bool {
    let nuls = sample.chars().take(4096).filter(|c| *c == '\0').count();
    if nuls * 10 > sample.chars().take(4096).count() {
        return true;
    }
    if enc != encoding_rs::UTF_16LE && enc != encoding_rs::UTF_16BE {
        return false;
    }
    let latin = |c: char| {
        (c.is_ascii() && !c.is_ascii_control())
            || matches!(c as u32, 0xA0..=0x24F | 0x300..=0x36F | 0x1E00..=0x1EFF | 0x2000..=0x20CF)
    };
    let (mut seen, mut odd) = (0usize, 0usize);
    for c in sample.chars().filter(|c| !c.is_whitespace()).take(4096) {
        seen += 1;
        if !latin(c) {
            odd += 1;
        }
    }
    odd * 2 > seen
}

/// Picks the encoding: a BOM says it; else UTF-16 when its NUL bytes say so; else UTF-8 when the
/// whole file is valid UTF-8, else the legacy Vietnamese Windows code page. UTF-16 chosen by the
/// user is big- or little-endian as the BOM or the NUL bytes say (little-endian when neither does).
fn sniff_encoding(path: &Path, forced: Option<TextEncoding>) -> Result<&'static encoding_rs::Encoding> {
    let mut f = BufReader::new(File::open(path)?);
    let mut head = vec![0u8; 4096];
    let n = read_up_to(&mut f, &mut head)?;
    head.truncate(n);
    let bom = &head[..n.min(3)];
    let by_bom = if bom.starts_with(&[0xEF, 0xBB, 0xBF]) {
        Some(encoding_rs::UTF_8)
    } else if bom.starts_with(&[0xFF, 0xFE]) {
        Some(encoding_rs::UTF_16LE)
    } else if bom.starts_with(&[0xFE, 0xFF]) {
        Some(encoding_rs::UTF_16BE)
    } else {
        None
    };
    match forced {
        Some(TextEncoding::Utf8) => return Ok(encoding_rs::UTF_8),
        Some(TextEncoding::Windows1258) => return Ok(encoding_rs::WINDOWS_1258),
        Some(TextEncoding::Utf16) => {
            return Ok(match by_bom {
                Some(e) if e != encoding_rs::UTF_8 => e,
                _ => utf16_by_nuls(&head).unwrap_or(encoding_rs::UTF_16LE),
            })
        }
        Some(TextEncoding::Auto) | None => {}
    }
    if let Some(e) = by_bom.or_else(|| utf16_by_nuls(&head)) {
        return Ok(e);
    }
    // Stream the file through a UTF-8 check (memory stays flat on big files).
    let mut f = BufReader::with_capacity(1 << 16, File::open(path)?);
    let mut buf = vec![0u8; 1 << 16];
    let mut carry: Vec<u8> = Vec::new();
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            return Ok(if carry.is_empty() { encoding_rs::UTF_8 } else { encoding_rs::WINDOWS_1258 });
        }
        carry.extend_from_slice(&buf[..n]);
        match std::str::from_utf8(&carry) {
            Ok(_) => carry.clear(),
            Err(e) if e.error_len().is_none() => {
                // a character cut by the chunk boundary: keep its first bytes for the next chunk
                let keep = carry.split_off(e.valid_up_to());
                carry = keep;
            }
            Err(_) => return Ok(encoding_rs::WINDOWS_1258),
        }
    }
}

fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        let k = r.read(&mut buf[n..])?;
        if k == 0 {
            break;
        }
        n += k;
    }
    Ok(n)
}

fn decoded(path: &Path, enc: &'static encoding_rs::Encoding) -> Result<impl Read + Send> {
    Ok(encoding_rs_io::DecodeReaderBytesBuilder::new()
        .encoding(Some(enc))
        .bom_override(true)
        .strip_bom(true)
        .build(BufReader::with_capacity(1 << 16, File::open(path)?)))
}

/// A text file decoded to UTF-8 (encoding as `sniff_encoding` picks it), and the encoding's name.
pub(crate) fn text_reader(path: &Path, forced: Option<TextEncoding>) -> Result<(&'static str, Box<dyn Read + Send>)> {
    let enc = sniff_encoding(path, forced)?;
    Ok((enc.name(), Box::new(decoded(path, enc)?)))
}

/// The delimiter that splits the first lines most consistently into the most columns.
pub(crate) fn sniff_delimiter(sample: &str) -> u8 {
    let mut lines: Vec<&str> = Vec::new();
    let (mut quoted, mut start) = (false, 0);
    for (i, c) in sample.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '\n' if !quoted => {
                lines.push(&sample[start..i]);
                start = i + 1;
            }
            _ => {}
        }
        if lines.len() >= 30 {
            break;
        }
    }
    if lines.is_empty() {
        lines.push(sample);
    }
    let mut best = (b',', 0usize, 0usize);
    for d in [b',', b';', b'\t', b'|'] {
        let counts: Vec<usize> = lines
            .iter()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                let mut q = false;
                l.chars()
                    .filter(|&c| {
                        if c == '"' {
                            q = !q;
                        }
                        !q && c == d as char
                    })
                    .count()
            })
            .collect();
        let mut modes: Vec<(usize, usize)> = Vec::new();
        for c in counts.iter().copied().filter(|c| *c > 0) {
            match modes.iter_mut().find(|m| m.0 == c) {
                Some(m) => m.1 += 1,
                None => modes.push((c, 1)),
            }
        }
        if let Some(&(count, lines_with)) = modes.iter().max_by_key(|m| (m.1, m.0)) {
            if (lines_with, count) > (best.2, best.1) {
                best = (d, count, lines_with);
            }
        }
    }
    best.0
}

/// CSV records parsed field by field as the bytes stream in (`csv_core`, the parser of the `csv`
/// crate), so a row is never held beyond [`MAX_ROW_TEXT`]: the rest of a longer one is read past,
/// not kept.
struct CsvRows {
    input: BufReader<Box<dyn Read + Send>>,
    parser: csv_core::Reader,
    /// line breaks inside quoted cells so far: a spreadsheet shows each record as one row
    inner_breaks: u64,
    ended: bool,
}

/// A field's bytes as text (the input is decoded UTF-8; a cut may have split a character).
fn field_text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => nfc(s),
        Err(e) => nfc(&String::from_utf8_lossy(&bytes[..e.valid_up_to()])),
    }
}

impl Rows for CsvRows {
    fn next_record(&mut self) -> Result<Option<Record>> {
        if self.ended {
            return Ok(None);
        }
        let start = self.parser.line();
        let mut out = [0u8; 8192];
        let mut field: Vec<u8> = Vec::new();
        let (mut cells, mut used, mut too_long) = (Vec::new(), 0usize, None);
        let mut breaks = 0u64; // line breaks inside this record's cells
        loop {
            let input = self
                .input
                .fill_buf()
                .map_err(|e| file_error("import.csv_unreadable", format!("line {}: {e}", self.parser.line())))?;
            let (res, nin, nout) = self.parser.read_field(input, &mut out);
            self.input.consume(nin);
            let piece = &out[..nout];
            breaks += piece.iter().filter(|b| **b == b'\n').count() as u64;
            let ends = matches!(res, csv_core::ReadFieldResult::Field { .. });
            if too_long.is_none() {
                // each cell costs its text and one byte more (a row of a million empty cells is
                // too long as well)
                let spent = used + field.len() + piece.len() + 1;
                if spent > MAX_ROW_TEXT {
                    let keep = MAX_ROW_TEXT.saturating_sub(used + field.len() + 1).min(piece.len());
                    field.extend_from_slice(&piece[..keep]);
                    too_long = Some(cells.len());
                    cells.push(crate::validate::echo(&field_text(&field)));
                } else {
                    field.extend_from_slice(piece);
                    if ends {
                        used = spent;
                        cells.push(field_text(&field));
                    }
                }
            }
            match res {
                csv_core::ReadFieldResult::InputEmpty | csv_core::ReadFieldResult::OutputFull => continue,
                csv_core::ReadFieldResult::End => {
                    self.ended = true;
                    return Ok(None);
                }
                csv_core::ReadFieldResult::Field { record_end } => {
                    field.clear();
                    if !record_end {
                        continue;
                    }
                }
            }
            // The row as a spreadsheet numbers it: its first line, less the line breaks inside
            // quoted cells above it (blank lines count, as they do there). (`start` is where
            // parsing began, before any blank lines; `after` the line after the record's
            // terminator, or its last line at the end of a file without a final line break.)
            let after = self.parser.line();
            let end = if after > start + breaks { after - 1 } else { after };
            let row = end.saturating_sub(breaks + self.inner_breaks);
            self.inner_breaks += breaks;
            return Ok(Some(Record { row, cells, too_long }));
        }
    }
}

fn open_csv(path: &Path, opts: &ReadOptions) -> Result<Opened> {
    let enc = sniff_encoding(path, opts.encoding)?;
    let mut sample = String::new();
    decoded(path, enc)?.take(64 * 1024).read_to_string(&mut sample).or_else(|e| {
        // a cut multi-byte character at the end of the sample is fine
        if e.kind() == std::io::ErrorKind::InvalidData {
            Ok(0)
        } else {
            Err(e)
        }
    })?;
    if misread(&sample, enc) {
        return Err(file_error("import.encoding_wrong", enc.name()));
    }
    let delimiter = sniff_delimiter(&sample);
    let source: Box<dyn Read + Send> = Box::new(decoded(path, enc)?);
    let mut rows: Box<dyn Rows> = Box::new(CsvRows {
        input: BufReader::with_capacity(1 << 16, source),
        parser: csv_core::ReaderBuilder::new().delimiter(delimiter).build(),
        inner_breaks: 0,
        ended: false,
    });
    let (headers, header_row, buffered) = split_header(rows.as_mut(), opts.header_row)?;
    Ok(Opened {
        format: Format::Csv,
        headers,
        header_row,
        encoding: Some(enc.name()),
        delimiter: Some(delimiter as char),
        sheets: vec![],
        sheet: None,
        rows: Box::new(Chained { buffered, rest: rows }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiters() {
        assert_eq!(sniff_delimiter("a,b,c\n1,2,3\n"), b',');
        assert_eq!(sniff_delimiter("Họ tên;SĐT;Ghi chú\nAn;0912;\"x, y, z\"\n"), b';');
        assert_eq!(sniff_delimiter("a\tb\tc\n1\t2,5\t3\n"), b'\t');
        assert_eq!(sniff_delimiter("a|b\n1|2\n"), b'|');
    }
}
