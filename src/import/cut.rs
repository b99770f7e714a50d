//! Spreadsheets whose XML holds a text longer than [`MAX_ROW_TEXT`] (a cell of 200 MB in a
//! hostile or broken file). calamine reads every shared string, and every cell's text, whole
//! into memory; so such a file is first scanned as it streams out of the zip (memory flat) and,
//! only when a text is too long, read from a copy in which each such text is cut at the bound and
//! ends with [`CUT`]: the reader then sees the cell, and its row is rejected naming the column.
//!
//! A text is counted per shared string (`<si>`), per cell (`<c>` in XLSX, `<table-cell>` in ODS),
//! and elsewhere per text node, in bytes as written (escaped), so a cut never holds more than the
//! bound. A tag longer than the bound (attributes of that size) makes the file unreadable.

use crate::error::{Error, Result};
use crate::import::source::{file_error, CUT, MAX_ROW_TEXT};
use std::fs::File;
use std::io::{BufReader, Read, Write};
use std::path::Path;

/// The file calamine should read: `None` when every text is within the bound (the file itself),
/// else a temporary copy with the long texts cut (deleted when closed).
pub(crate) fn bounded_copy(path: &Path) -> Result<Option<File>> {
    let Ok(mut zip) = zip::ZipArchive::new(BufReader::new(File::open(path)?)) else {
        return Ok(None); // not a zip: calamine says what it is
    };
    let mut long = Vec::new();
    for i in 0..zip.len() {
        let Ok(entry) = zip.by_index(i) else { continue };
        if !is_xml(entry.name()) || entry.size() <= MAX_ROW_TEXT as u64 {
            continue; // too small to hold a text past the bound
        }
        let name = entry.name().to_string();
        let mut cutter = Cutter::new(std::io::sink());
        if cutter.copy(entry).map_err(unreadable)? {
            long.push(name);
        }
    }
    if long.is_empty() {
        return Ok(None);
    }
    let mut out = zip::ZipWriter::new(tempfile::tempfile()?);
    for i in 0..zip.len() {
        let entry = zip.by_index(i).map_err(|e| unreadable(std::io::Error::other(e)))?;
        if !long.iter().any(|n| n == entry.name()) {
            out.raw_copy_file(entry).map_err(|e| unreadable(std::io::Error::other(e)))?;
            continue;
        }
        let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        out.start_file(entry.name(), options).map_err(|e| unreadable(std::io::Error::other(e)))?;
        Cutter::new(&mut out).copy(entry).map_err(unreadable)?;
    }
    let mut file = out.finish().map_err(|e| unreadable(std::io::Error::other(e)))?;
    std::io::Seek::rewind(&mut file)?;
    Ok(Some(file))
}

fn is_xml(name: &str) -> bool {
    name.ends_with(".xml") || name.ends_with(".rels")
}

fn unreadable(e: std::io::Error) -> Error {
    file_error("import.sheet_unreadable", e.to_string())
}

/// Copies XML through, cutting texts past the bound (see the module's notes).
struct Cutter<W: Write> {
    out: W,
    in_tag: bool,
    /// the current tag's first bytes (enough for its name) and its length
    tag: Vec<u8>,
    tag_len: usize,
    /// inside a shared string or a cell: its texts count together
    in_unit: bool,
    used: usize,
    /// the current unit (or text node) was cut: the rest of its text is left out
    cut: bool,
    /// the end of the text read so far that may be part of a character or an entity (a cut must
    /// not split either), kept until the next bytes show where it ends
    held: Vec<u8>,
    found: bool,
}

impl<W: Write> Cutter<W> {
    fn new(out: W) -> Self {
        Cutter {
            out,
            in_tag: false,
            tag: Vec::new(),
            tag_len: 0,
            in_unit: false,
            used: 0,
            cut: false,
            held: Vec::new(),
            found: false,
        }
    }

    /// Copies `input`; true when some text was cut.
    fn copy(&mut self, mut input: impl Read) -> std::io::Result<bool> {
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let n = input.read(&mut buf)?;
            if n == 0 {
                break;
            }
            self.feed(&buf[..n])?;
        }
        self.text_end()?;
        self.out.flush()?;
        Ok(self.found)
    }

    fn feed(&mut self, mut buf: &[u8]) -> std::io::Result<()> {
        while !buf.is_empty() {
            if self.in_tag {
                let (part, closed) = match buf.iter().position(|b| *b == b'>') {
                    Some(i) => (&buf[..=i], true),
                    None => (buf, false),
                };
                self.tag_len += part.len();
                if self.tag_len > MAX_ROW_TEXT {
                    return Err(std::io::Error::other("an XML tag longer than 1 MB"));
                }
                let room = 64usize.saturating_sub(self.tag.len());
                self.tag.extend_from_slice(&part[..part.len().min(room)]);
                self.out.write_all(part)?;
                buf = &buf[part.len()..];
                if closed {
                    self.in_tag = false;
                    self.tag_done();
                }
            } else {
                match buf.iter().position(|b| *b == b'<') {
                    Some(i) => {
                        self.text(&buf[..i])?;
                        self.text_end()?;
                        self.in_tag = true;
                        self.tag.clear();
                        self.tag_len = 0;
                        buf = &buf[i..];
                    }
                    None => {
                        self.text(buf)?;
                        buf = &[];
                    }
                }
            }
        }
        Ok(())
    }

    /// A unit starts or ends with its tag; outside units every text node counts alone.
    fn tag_done(&mut self) {
        let t = &self.tag;
        let closing = t.get(1) == Some(&b'/');
        let start = if closing { 2 } else { 1 };
        let name_end = t[start..]
            .iter()
            .position(|b| b.is_ascii_whitespace() || *b == b'/' || *b == b'>')
            .map_or(t.len(), |i| start + i);
        let name = &t[start.min(name_end)..name_end];
        let local = name.rsplit(|b| *b == b':').next().unwrap_or(name);
        let unit = matches!(local, b"si" | b"c" | b"table-cell");
        let empty = t.ends_with(b"/>");
        if unit && !closing && !empty {
            self.in_unit = true;
            self.used = 0;
            self.cut = false;
        } else if (unit && closing) || !self.in_unit {
            self.in_unit = false;
            self.used = 0;
            self.cut = false;
        }
    }

    /// Some text of the current node (more may follow in the next bytes).
    fn text(&mut self, piece: &[u8]) -> std::io::Result<()> {
        if self.cut || piece.is_empty() {
            return Ok(());
        }
        let mut text = std::mem::take(&mut self.held);
        text.extend_from_slice(piece);
        let keep = text.len() - open_tail(&text);
        self.emit(&text[..keep])?;
        if !self.cut {
            self.held = text[keep..].to_vec();
        }
        Ok(())
    }

    /// The text node ended: what was held back is whole now.
    fn text_end(&mut self) -> std::io::Result<()> {
        let held = std::mem::take(&mut self.held);
        if !self.cut {
            self.emit(&held)?;
        }
        Ok(())
    }

    fn emit(&mut self, text: &[u8]) -> std::io::Result<()> {
        let room = MAX_ROW_TEXT.saturating_sub(self.used);
        if text.len() <= room {
            self.used += text.len();
            return self.out.write_all(text);
        }
        let end = safe_cut(text, room);
        self.out.write_all(&text[..end])?;
        let mut mark = [0u8; 4];
        self.out.write_all(CUT.encode_utf8(&mut mark).as_bytes())?;
        self.cut = true;
        self.found = true;
        Ok(())
    }
}

/// How many bytes at the end of `text` may be the start of an entity (`&amp;`) or of a
/// character that the next bytes finish.
fn open_tail(text: &[u8]) -> usize {
    let from = text.len().saturating_sub(12);
    if let Some(amp) = text[from..].iter().rposition(|b| *b == b'&') {
        if !text[from + amp..].contains(&b';') {
            return text.len() - (from + amp);
        }
    }
    // a UTF-8 lead byte whose sequence is not complete yet
    for back in 1..=3.min(text.len()) {
        let b = text[text.len() - back];
        if b & 0xC0 == 0xC0 {
            let len = if b >= 0xF0 {
                4
            } else if b >= 0xE0 {
                3
            } else {
                2
            };
            return if back < len { back } else { 0 };
        }
        if b & 0x80 == 0 {
            return 0;
        }
    }
    0
}

/// The longest beginning of `text` within `max` bytes that ends neither inside a character nor
/// inside an entity.
fn safe_cut(text: &[u8], max: usize) -> usize {
    let mut end = max.min(text.len());
    while end > 0 && end < text.len() && text[end] & 0xC0 == 0x80 {
        end -= 1;
    }
    if let Some(amp) = text[..end].iter().rposition(|b| *b == b'&') {
        if !text[amp..end].contains(&b';') {
            end = amp;
        }
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cut(xml: &str) -> (String, bool) {
        let mut out = Vec::new();
        let found = Cutter::new(&mut out).copy(xml.as_bytes()).unwrap();
        (String::from_utf8(out).unwrap(), found)
    }

    #[test]
    fn texts_within_the_bound_pass_as_they_are() {
        let xml = "<sst><si><t>Nguyễn &amp; Co</t></si><si><r><t>a</t></r><r><t>b</t></r></si></sst>";
        assert_eq!(cut(xml), (xml.to_string(), false));
    }

    #[test]
    fn a_long_shared_string_is_cut_whole_characters_and_entities_kept() {
        let long = "ấ&amp;".repeat(MAX_ROW_TEXT / 4);
        let xml = format!("<sst><si><t>{long}</t></si><si><t>ok</t></si></sst>");
        let (out, found) = cut(&xml);
        assert!(found);
        let first = out.split("</t>").next().unwrap();
        let text = first.trim_start_matches("<sst><si><t>");
        assert!(text.len() <= MAX_ROW_TEXT + 4, "{}", text.len());
        assert!(text.ends_with(CUT));
        assert!(text.trim_end_matches(CUT).ends_with("&amp;") || text.trim_end_matches(CUT).ends_with('ấ'));
        assert!(out.ends_with("<si><t>ok</t></si></sst>"));
        // rich text: runs of one string count together
        let run = "x".repeat(MAX_ROW_TEXT / 3);
        let xml = format!("<si><r><t>{run}</t></r><r><t>{run}</t></r><r><t>{run}</t></r><r><t>{run}</t></r></si>");
        let (out, found) = cut(&xml);
        assert!(found && out.len() < MAX_ROW_TEXT + 200 && out.ends_with("</t></r></si>"));
    }
}
