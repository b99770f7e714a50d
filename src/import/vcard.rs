//! vCard 2.1, 3.0 and 4.0 as Google Contacts, iPhone and Android export them, read card by card
//! into rows with fixed columns (one row per card). Written here rather than with the `ical`
//! crate: its 0.11 parser rejects vCard 2.1's bare type parameters (`TEL;CELL:`), which Android
//! writes, and stops without an error at the first line that is not UTF-8.

use crate::error::Result;
use crate::import::source::{file_error, nfc, Chained, Format, Opened, ReadOptions, Record, Rows, CUT, MAX_ROW_TEXT};
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

/// The columns a card becomes (named so the suggested mapping takes them as they are).
pub const VCARD_COLUMNS: &[&str] = &[
    "Full name",
    "Last name",
    "Middle name",
    "First name",
    "Mobile",
    "Work phone",
    "Home phone",
    "Phone",
    "Work email",
    "Email",
    "Company",
    "Title",
    "Birthday",
    "Street",
    "District",
    "Province",
    "Notes",
    "Tags",
];

/// What each card column fills: cards have fixed columns, so their mapping is fixed too (and
/// still editable like any other).
pub fn default_mapping() -> crate::import::Mapping {
    let target = |c: &str| match c {
        "Full name" => "name",
        "Last name" => "family_name",
        "Middle name" => "middle_name",
        "First name" => "given_name",
        "Mobile" | "Work phone" | "Home phone" | "Phone" => "phone",
        "Work email" | "Email" => "email",
        "Company" => "company",
        "Title" => "title",
        "Birthday" => "birthday",
        "Street" => "street",
        "District" => "district",
        "Province" => "province",
        "Notes" => "notes",
        "Tags" => "tags",
        _ => "ignore",
    };
    crate::import::Mapping {
        columns: VCARD_COLUMNS
            .iter()
            .map(|c| crate::import::ColumnMap { column: c.to_string(), target: target(c).to_string() })
            .collect(),
    }
}

fn col(name: &str) -> usize {
    VCARD_COLUMNS.iter().position(|c| *c == name).unwrap_or(0)
}

/// One content line: name (group dropped, upper case), parameters (upper-cased names; bare
/// 2.1 values become TYPE), raw value.
#[derive(Debug, PartialEq)]
pub(crate) struct Property {
    pub name: String,
    pub params: Vec<(String, String)>,
    pub value: String,
}

impl Property {
    fn has_type(&self, t: &str) -> bool {
        self.params.iter().any(|(k, v)| k == "TYPE" && v.split(',').any(|x| x.trim().eq_ignore_ascii_case(t)))
    }
    fn param(&self, k: &str) -> Option<&str> {
        self.params.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str())
    }
    fn quoted_printable(&self) -> bool {
        self.param("ENCODING").is_some_and(|e| e.eq_ignore_ascii_case("QUOTED-PRINTABLE"))
    }
}

pub(crate) fn parse_line(line: &str) -> Option<Property> {
    // the name and parameters end at the first ':' outside double quotes
    let mut quoted = false;
    let colon = line.char_indices().find(|&(_, c)| {
        if c == '"' {
            quoted = !quoted;
        }
        c == ':' && !quoted
    })?;
    let (head, value) = (&line[..colon.0], &line[colon.0 + 1..]);
    let mut parts = head.split(';');
    let name = parts.next()?.trim();
    let name = name.rsplit('.').next().unwrap_or(name).to_ascii_uppercase();
    if name.is_empty() {
        return None;
    }
    let mut params = Vec::new();
    for p in parts {
        let (k, v) = match p.split_once('=') {
            Some((k, v)) => (k.trim().to_ascii_uppercase(), v.trim().trim_matches('"').to_string()),
            None => {
                let bare = p.trim().to_ascii_uppercase();
                match bare.as_str() {
                    "QUOTED-PRINTABLE" | "BASE64" | "B" | "8BIT" => ("ENCODING".to_string(), bare),
                    _ => ("TYPE".to_string(), bare),
                }
            }
        };
        params.push((k, v));
    }
    Some(Property { name, params, value: value.to_string() })
}

/// Splits a structured value on unescaped ';' and unescapes each part.
fn components(v: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut chars = v.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('n') | Some('N') => out.last_mut().map(|s| s.push('\n')).unwrap_or(()),
                Some(o) => out.last_mut().map(|s| s.push(o)).unwrap_or(()),
                None => {}
            },
            ';' => out.push(String::new()),
            c => out.last_mut().map(|s| s.push(c)).unwrap_or(()),
        }
    }
    out.into_iter().map(|s| nfc(s.trim())).collect()
}

fn decode_value(p: &Property) -> String {
    if !p.quoted_printable() {
        return p.value.clone();
    }
    let bytes = quoted_printable::decode(p.value.as_bytes(), quoted_printable::ParseMode::Robust)
        .unwrap_or_else(|_| p.value.as_bytes().to_vec());
    let enc =
        p.param("CHARSET").and_then(|c| encoding_rs::Encoding::for_label(c.as_bytes())).unwrap_or(encoding_rs::UTF_8);
    enc.decode(&bytes).0.into_owned()
}

/// Builds one row from a card's properties.
pub(crate) fn card_cells(props: &[Property]) -> Vec<String> {
    let mut cells = vec![String::new(); VCARD_COLUMNS.len()];
    let mut add = |name: &str, v: &str| {
        let v = v.trim();
        if v.is_empty() {
            return;
        }
        let c = &mut cells[col(name)];
        if !c.is_empty() {
            c.push('\n');
        }
        c.push_str(v);
    };
    for p in props {
        if p.param("ENCODING").is_some_and(|e| e.eq_ignore_ascii_case("BASE64") || e.eq_ignore_ascii_case("B")) {
            continue; // photos and keys
        }
        let value = decode_value(p);
        let parts = components(&value);
        let first = parts.first().map(String::as_str).unwrap_or("");
        match p.name.as_str() {
            "FN" => add("Full name", &components(&value).join(";")),
            "N" => {
                add("Last name", first);
                add("First name", parts.get(1).map(String::as_str).unwrap_or(""));
                add("Middle name", parts.get(2).map(String::as_str).unwrap_or(""));
            }
            "TEL" => {
                let v = value.trim_start_matches("tel:");
                if p.has_type("CELL") || p.has_type("MOBILE") {
                    add("Mobile", v)
                } else if p.has_type("WORK") {
                    add("Work phone", v)
                } else if p.has_type("HOME") {
                    add("Home phone", v)
                } else {
                    add("Phone", v)
                }
            }
            "EMAIL" => {
                if p.has_type("WORK") {
                    add("Work email", &value)
                } else {
                    add("Email", &value)
                }
            }
            "ORG" => add("Company", &parts.iter().filter(|s| !s.is_empty()).cloned().collect::<Vec<_>>().join(", ")),
            "TITLE" => add("Title", first),
            "BDAY" => add("Birthday", first),
            "NOTE" => add("Notes", &components(&value).join(";")),
            "CATEGORIES" => add("Tags", &value.replace("\\,", ",")),
            "ADR" => {
                // PO box; extended; street; locality; region; postal code; country
                let get = |i: usize| parts.get(i).map(String::as_str).unwrap_or("");
                let street = [get(1), get(2)].iter().filter(|s| !s.is_empty()).copied().collect::<Vec<_>>().join(", ");
                add("Street", &street);
                if get(4).is_empty() {
                    add("Province", get(3));
                } else {
                    add("District", get(3));
                    add("Province", get(4));
                }
            }
            _ => {}
        }
    }
    // several addresses: only the first of each part is a field
    for name in ["Street", "District", "Province", "Birthday", "Title", "Company", "Full name"] {
        let c = &mut cells[col(name)];
        if let Some(i) = c.find('\n') {
            c.truncate(i);
        }
    }
    cells
}

struct VcardRows {
    input: BufReader<Box<dyn Read + Send>>,
    /// a physical line read ahead (the start of the next logical line)
    pending: Option<String>,
    line_no: u64,
    cards: u64,
}

/// The longest beginning of `s` that fits in `max` bytes.
fn head(s: &str, max: usize) -> &str {
    let mut end = max.min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Adds `more` to a line, up to [`MAX_ROW_TEXT`]: a line cut there ends with [`CUT`] and takes
/// nothing more.
fn join(line: &mut String, more: &str) {
    if line.ends_with(CUT) {
        return;
    }
    if line.len() + more.len() > MAX_ROW_TEXT {
        line.push_str(head(more, MAX_ROW_TEXT.saturating_sub(line.len())));
        line.push(CUT);
    } else {
        line.push_str(more);
    }
}

impl VcardRows {
    /// The next line of the file without its line break; at most [`MAX_ROW_TEXT`] of it is kept
    /// (the rest is read past, and the line ends with [`CUT`]).
    fn physical(&mut self) -> Result<Option<String>> {
        if let Some(l) = self.pending.take() {
            return Ok(Some(l));
        }
        let unreadable = |e: std::io::Error, n: u64| file_error("import.vcard_unreadable", format!("line {n}: {e}"));
        let mut line: Vec<u8> = Vec::new();
        let (mut any, mut cut) = (false, false);
        loop {
            let buf = self.input.fill_buf().map_err(|e| unreadable(e, self.line_no + 1))?;
            if buf.is_empty() {
                break;
            }
            any = true;
            let (text, used, done) = match buf.iter().position(|b| *b == b'\n') {
                Some(i) => (&buf[..i], i + 1, true),
                None => (buf, buf.len(), false),
            };
            let room = MAX_ROW_TEXT.saturating_sub(line.len());
            cut |= text.len() > room;
            line.extend_from_slice(&text[..text.len().min(room)]);
            self.input.consume(used);
            if done {
                break;
            }
        }
        if !any {
            return Ok(None);
        }
        self.line_no += 1;
        let mut s = match String::from_utf8(line) {
            Ok(s) => s,
            Err(e) if cut => {
                let valid = e.utf8_error().valid_up_to();
                let mut bytes = e.into_bytes();
                bytes.truncate(valid);
                String::from_utf8(bytes).unwrap_or_default()
            }
            Err(e) => return Err(unreadable(std::io::Error::new(std::io::ErrorKind::InvalidData, e), self.line_no)),
        };
        if s.ends_with('\r') {
            s.pop();
        }
        if cut {
            s.push(CUT);
        }
        Ok(Some(s))
    }

    /// The next content line with folding undone: continuation lines start with a space or tab;
    /// a quoted-printable value ending in '=' continues on the next line (vCard 2.1).
    fn logical(&mut self) -> Result<Option<String>> {
        let Some(mut line) = self.physical()? else { return Ok(None) };
        let qp = line.split(':').next().is_some_and(|h| h.to_ascii_uppercase().contains("QUOTED-PRINTABLE"));
        loop {
            if qp && line.ends_with('=') {
                line.pop();
                match self.physical()? {
                    Some(next) => join(&mut line, next.trim_start()),
                    None => break,
                }
                continue;
            }
            match self.physical()? {
                Some(next) if next.starts_with(' ') || next.starts_with('\t') => join(&mut line, &next[1..]),
                Some(next) => {
                    self.pending = Some(next);
                    break;
                }
                None => break,
            }
        }
        Ok(Some(line.trim_end_matches('\r').to_string()))
    }
}

impl Rows for VcardRows {
    fn next_record(&mut self) -> Result<Option<Record>> {
        let mut props: Option<Vec<Property>> = None;
        // a card is held to MAX_ROW_TEXT too: past it, the property that crossed it is cut and
        // the rest are read past
        let mut size = 0usize;
        while let Some(line) = self.logical()? {
            let Some(mut p) = parse_line(&line) else { continue };
            match (p.name.as_str(), p.value.trim().to_ascii_uppercase().as_str()) {
                ("BEGIN", "VCARD") => {
                    props = Some(Vec::new());
                    size = 0;
                }
                ("END", "VCARD") => {
                    if let Some(ps) = props.take() {
                        self.cards += 1;
                        return Ok(Some(Record::bounded(self.cards, card_cells(&ps))));
                    }
                }
                _ => {
                    if let Some(ps) = props.as_mut() {
                        if size > MAX_ROW_TEXT {
                            continue;
                        }
                        size += p.value.len() + 1;
                        if size > MAX_ROW_TEXT && !p.value.ends_with(CUT) {
                            p.value = head(&p.value, MAX_ROW_TEXT.saturating_sub(size - p.value.len())).to_string();
                            p.value.push(CUT);
                        }
                        ps.push(p);
                    }
                }
            }
        }
        if props.is_some() {
            return Err(file_error("import.vcard_unfinished", format!("card {}", self.cards + 1)));
        }
        Ok(None)
    }
}

pub(crate) fn open_vcf(path: &Path, opts: &ReadOptions) -> Result<Opened> {
    let (enc, reader) = crate::import::source::text_reader(path, opts.encoding)?;
    let mut rows = VcardRows { input: BufReader::new(reader), pending: None, line_no: 0, cards: 0 };
    // A contacts file starts with its first card: anything else is not read as "no cards".
    loop {
        match rows.physical()? {
            None => return Err(file_error("import.empty_file", "")),
            Some(l) if l.trim().is_empty() => continue,
            Some(l) if l.trim().to_ascii_uppercase().starts_with("BEGIN:VCARD") => {
                rows.pending = Some(l);
                break;
            }
            Some(_) => return Err(file_error("import.not_vcard", path.display().to_string())),
        }
    }
    Ok(Opened {
        format: Format::Vcf,
        headers: VCARD_COLUMNS.iter().map(|s| s.to_string()).collect(),
        header_row: 0,
        encoding: Some(enc),
        delimiter: None,
        sheets: vec![],
        sheet: None,
        rows: Box::new(Chained { buffered: VecDeque::new(), rest: Box::new(rows) }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_and_named_parameters() {
        let p = parse_line("item1.TEL;CELL;PREF:0912 345 678").unwrap();
        assert_eq!(p.name, "TEL");
        assert!(p.has_type("cell"));
        let p = parse_line("TEL;TYPE=\"work,voice\":+84 24 3826 1234").unwrap();
        assert!(p.has_type("WORK"));
        let p = parse_line("N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=4E=67=75=79=E1=BB=85=6E;An;;;").unwrap();
        assert_eq!(components(&decode_value(&p))[0], "Nguyễn");
    }
}
