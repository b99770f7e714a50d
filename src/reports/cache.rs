//! The tickets as the reports read them: one chunk per UTC day of creation, each the day's
//! tickets (and their survey answers) as columns of numbers, kept in `report_chunks` (migration
//! 0018). Reading a million tickets through SQLite row by row costs some 600 ns a ticket; a
//! chunk is one blob read and its columns are copied out whole, so a year of tickets is read
//! at memory speed.
//!
//! Triggers bump a chunk's `version` on every write to one of its tickets or their answers (in
//! this process, another, or a sync's apply); a report rebuilds the chunks whose `built` is not
//! their `version` from the tickets themselves and writes them back when it can (a cache: a
//! write that fails or finds the version moved on leaves the chunk to be built again).
//!
//! A chunk's blob: `TRC2`, the counts (tickets, answers, words) as u32, its words (the texts its
//! tickets name: team, channel, category, priority, assignee and SLA ids) each a u32 length and
//! UTF-8, then [`COLUMNS`] columns of one i64 per ticket and [`ANSWER_COLUMNS`] of one per
//! answer, little-endian. No value is [`NONE`].

use crate::error::Result;
use rusqlite::types::ValueRef;
use rusqlite::Connection;
use std::collections::HashMap;

pub const DAY: i64 = 86_400_000;
/// A blob of this build's layout and meaning (`TRC1`'s first instant was the first creation
/// only: such chunks are built again).
const MAGIC: &[u8; 4] = b"TRC2";
/// No value (NULL).
pub const NONE: i64 = i64::MIN;

/// The ticket columns, in the blob's order.
pub mod col {
    pub const CREATED: usize = 0;
    pub const FR_AT: usize = 1;
    pub const FR_MS: usize = 2;
    pub const FR_WORK: usize = 3;
    pub const SOLVED: usize = 4;
    pub const RES_MS: usize = 5;
    pub const RES_WORK: usize = 6;
    pub const HAND_MS: usize = 7;
    pub const HAND_WORK: usize = 8;
    pub const REPLIES: usize = 9;
    pub const FIRST_SOLVED: usize = 10;
    pub const REOPENED: usize = 11;
    pub const FR_DUE: usize = 12;
    pub const FR_LATE: usize = 13;
    pub const RES_DUE: usize = 14;
    pub const RES_LATE: usize = 15;
    pub const NEXT_LATE: usize = 16;
    /// FNV-1a of the customer's id.
    pub const CUSTOMER: usize = 17;
    // words: an index into the chunk's words
    pub const TEAM: usize = 18;
    pub const CHANNEL: usize = 19;
    pub const CATEGORY: usize = 20;
    pub const PRIORITY: usize = 21;
    pub const ASSIGNEE: usize = 22;
    pub const SLA: usize = 23;
}
pub const COLUMNS: usize = 24;
const FIRST_WORD: usize = col::TEAM;

/// The answer columns: the ticket's place in the chunk, kind (0 CSAT, 1 NPS, 2 CES), score,
/// sent, answered.
pub mod ans {
    pub const TICKET: usize = 0;
    pub const KIND: usize = 1;
    pub const SCORE: usize = 2;
    pub const SENT: usize = 3;
    pub const ANSWERED: usize = 4;
}
pub const ANSWER_COLUMNS: usize = 5;

/// One day's tickets as columns.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Chunk {
    pub n: usize,
    pub cols: Vec<Vec<i64>>,
    pub answers: Vec<Vec<i64>>,
    pub words: Vec<String>,
    /// The earliest and latest instant a report reads of these tickets and answers ([`NONE`]:
    /// none; the latest is `i64::MAX` while one is open).
    pub first_at: i64,
    pub last_at: i64,
}

/// A stable 64-bit hash of a text (FNV-1a): the same on every build and device.
pub fn key_of(text: &str) -> i64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h as i64
}

impl Chunk {
    pub fn get(&self, c: usize, i: usize) -> Option<i64> {
        let v = self.cols[c][i];
        (v != NONE).then_some(v)
    }

    /// The word at `c` of ticket `i`.
    pub fn word(&self, c: usize, i: usize) -> Option<&str> {
        self.get(c, i).and_then(|w| self.words.get(w as usize)).map(String::as_str)
    }

    /// The place of `text` among the words, if any ticket here names it.
    pub fn word_index(&self, text: &str) -> Option<i64> {
        self.words.iter().position(|w| w == text).map(|i| i as i64)
    }

    pub fn encode(&self) -> Vec<u8> {
        let na = self.answers.first().map_or(0, Vec::len);
        let mut out = Vec::with_capacity(16 + (COLUMNS * self.n + ANSWER_COLUMNS * na) * 8);
        out.extend_from_slice(MAGIC);
        for v in [self.n, na, self.words.len()] {
            out.extend_from_slice(&(v as u32).to_le_bytes());
        }
        for w in &self.words {
            out.extend_from_slice(&(w.len() as u32).to_le_bytes());
            out.extend_from_slice(w.as_bytes());
        }
        for c in self.cols.iter().chain(self.answers.iter()) {
            out.extend_from_slice(bytemuck::cast_slice(c));
        }
        out
    }

    /// A blob back as a chunk; `None` when it is not one this build wrote (then it is built
    /// again).
    pub fn decode(blob: &[u8], first_at: i64, last_at: i64) -> Option<Chunk> {
        let mut at = 0usize;
        let mut take = |len: usize| -> Option<&[u8]> {
            let s = blob.get(at..at.checked_add(len)?)?;
            at += len;
            Some(s)
        };
        if take(4)? != MAGIC {
            return None;
        }
        let mut u32s = [0usize; 3];
        for v in &mut u32s {
            *v = u32::from_le_bytes(take(4)?.try_into().ok()?) as usize;
        }
        let [n, na, nw] = u32s;
        let mut words = Vec::with_capacity(nw);
        for _ in 0..nw {
            let len = u32::from_le_bytes(take(4)?.try_into().ok()?) as usize;
            words.push(std::str::from_utf8(take(len)?).ok()?.to_string());
        }
        let mut column = |len: usize| -> Option<Vec<i64>> {
            let bytes = take(len.checked_mul(8)?)?;
            let mut v = vec![0i64; len];
            bytemuck::cast_slice_mut::<i64, u8>(&mut v).copy_from_slice(bytes);
            Some(v)
        };
        let cols = (0..COLUMNS).map(|_| column(n)).collect::<Option<Vec<_>>>()?;
        let answers = (0..ANSWER_COLUMNS).map(|_| column(na)).collect::<Option<Vec<_>>>()?;
        Some(Chunk { n, cols, answers, words, first_at, last_at })
    }
}

fn int(v: ValueRef<'_>) -> i64 {
    match v {
        ValueRef::Integer(i) => i,
        _ => NONE,
    }
}

/// Builds the chunk of UTC day `day` from the tickets created that day (not deleted, not merged
/// into another) and their answers.
pub fn build(conn: &Connection, day: i64) -> Result<Chunk> {
    let (from, to) = (day * DAY, (day + 1) * DAY);
    let mut c =
        Chunk { cols: vec![Vec::new(); COLUMNS], answers: vec![Vec::new(); ANSWER_COLUMNS], ..Default::default() };
    let mut words: HashMap<String, i64> = HashMap::new();
    let mut word = |v: ValueRef<'_>, list: &mut Vec<String>| -> i64 {
        let ValueRef::Text(t) = v else { return NONE };
        let t = String::from_utf8_lossy(t);
        if let Some(&i) = words.get(t.as_ref()) {
            return i;
        }
        let i = list.len() as i64;
        list.push(t.to_string());
        words.insert(t.into_owned(), i);
        i
    };
    let mut place: HashMap<String, i64> = HashMap::new();
    let mut st = conn.prepare_cached(
        "SELECT t.created_at, t.first_response_at, t.first_response_ms, t.first_response_work_ms, t.solved_at,
            t.resolution_ms, t.resolution_work_ms, t.handling_ms, t.handling_work_ms, t.replies, t.first_solved_at,
            t.reopened_at, t.first_response_due, t.first_response_breached_at, t.resolution_due,
            t.resolution_breached_at, t.next_response_breached_at, t.customer_id,
            t.team_id, t.channel, t.category, t.priority, t.assignee_id, t.sla_id, t.id
         FROM tickets t
         WHERE t.deleted_at IS NULL AND t.merged_into IS NULL AND t.created_at >= ?1 AND t.created_at < ?2
         ORDER BY t.created_at, t.id",
    )?;
    let mut rows = st.query([from, to])?;
    let (mut first_at, mut last_at) = (i64::MAX, NONE);
    while let Some(r) = rows.next()? {
        for k in 0..col::CUSTOMER {
            c.cols[k].push(int(r.get_ref(k)?));
        }
        let customer = match r.get_ref(col::CUSTOMER)? {
            ValueRef::Text(t) => key_of(&String::from_utf8_lossy(t)),
            _ => NONE,
        };
        c.cols[col::CUSTOMER].push(customer);
        for k in FIRST_WORD..COLUMNS {
            let w = word(r.get_ref(k)?, &mut c.words);
            c.cols[k].push(w);
        }
        let i = c.n;
        let id: String = r.get(COLUMNS)?;
        place.insert(id, i as i64);
        c.n += 1;
        let at = |k: usize| c.cols[k][i];
        // every instant a report counts by, even one before the creation (data from elsewhere)
        for k in [col::CREATED, col::FR_AT, col::SOLVED, col::FR_DUE, col::RES_DUE] {
            if at(k) != NONE {
                first_at = first_at.min(at(k));
            }
        }
        // an unsolved ticket is read by every later period (the backlog, its deadlines)
        let latest = if at(col::SOLVED) == NONE {
            i64::MAX
        } else {
            [col::CREATED, col::FR_AT, col::SOLVED, col::FR_DUE, col::RES_DUE]
                .iter()
                .map(|&k| at(k))
                .max()
                .unwrap_or(NONE)
        };
        last_at = last_at.max(latest);
    }
    drop(rows);
    let mut st = conn.prepare_cached(
        "SELECT a.ticket_id, a.kind, a.score, a.sent_at, a.answered_at FROM survey_answers a
         JOIN tickets t ON t.id = a.ticket_id
         WHERE a.deleted_at IS NULL AND t.deleted_at IS NULL AND t.merged_into IS NULL
           AND t.created_at >= ?1 AND t.created_at < ?2
         ORDER BY a.id",
    )?;
    let mut rows = st.query([from, to])?;
    while let Some(r) = rows.next()? {
        let Some(&i) = place.get(&r.get::<_, String>(0)?) else { continue };
        let kind = match r.get_ref(1)? {
            ValueRef::Text(b"csat") => 0,
            ValueRef::Text(b"nps") => 1,
            ValueRef::Text(b"ces") => 2,
            _ => NONE,
        };
        let row = [i, kind, int(r.get_ref(2)?), int(r.get_ref(3)?), int(r.get_ref(4)?)];
        for (k, v) in row.into_iter().enumerate() {
            c.answers[k].push(v);
        }
        for v in [row[3], row[4]] {
            last_at = last_at.max(v);
            if v != NONE {
                first_at = first_at.min(v);
            }
        }
    }
    c.first_at = if c.n == 0 { NONE } else { first_at };
    c.last_at = last_at;
    Ok(c)
}

/// Each chunk a report reads (tickets with any instant in `[start, until)`, or still open),
/// A chunk built again, to write back: its day, the version it was built from, its first and
/// last instants, and its encoded blob.
pub type Rebuilt = (i64, i64, i64, i64, Vec<u8>);

/// built again where it is stale. Returns the stale ones rebuilt, encoded, to write back.
pub fn each(conn: &Connection, start: i64, until: i64, mut f: impl FnMut(Chunk) -> Result<()>) -> Result<Vec<Rebuilt>> {
    let mut stale = Vec::new();
    {
        let mut st = conn.prepare_cached(
            "SELECT day, version, built, first_at, last_at, data FROM report_chunks
             WHERE built IS NOT version OR (first_at < ?2 AND last_at >= ?1) ORDER BY day",
        )?;
        let mut rows = st.query([start, until])?;
        while let Some(r) = rows.next()? {
            let (day, version, built): (i64, i64, Option<i64>) = (r.get(0)?, r.get(1)?, r.get(2)?);
            let decoded = if built == Some(version) {
                match (r.get_ref(5)?, r.get::<_, Option<i64>>(3)?, r.get::<_, Option<i64>>(4)?) {
                    (ValueRef::Blob(b), Some(first), Some(last)) => Chunk::decode(b, first, last),
                    _ => None,
                }
            } else {
                None
            };
            match decoded {
                Some(c) => f(c)?,
                None => stale.push((day, version)),
            }
        }
    }
    let mut rebuilt = Vec::new();
    for (day, version) in stale {
        let c = build(conn, day)?;
        rebuilt.push((day, version, c.first_at, c.last_at, c.encode()));
        if c.n > 0 && c.first_at < until && c.last_at >= start {
            f(c)?;
        }
    }
    Ok(rebuilt)
}

/// Writes rebuilt chunks back, each only if no write came to its tickets meanwhile. Best effort:
/// a busy or read-only workspace keeps them stale, to be built again by the next report.
pub fn store(path: &std::path::Path, rebuilt: &[(i64, i64, i64, i64, Vec<u8>)]) {
    if rebuilt.is_empty() {
        return;
    }
    let write = || -> Result<()> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_millis(250))?;
        conn.execute_batch("BEGIN IMMEDIATE")?;
        {
            let mut st = conn.prepare(
                "UPDATE report_chunks SET built = version, first_at = ?3, last_at = ?4, data = ?5
                 WHERE day = ?1 AND version = ?2",
            )?;
            for (day, version, first_at, last_at, data) in rebuilt {
                st.execute(rusqlite::params![day, version, first_at, last_at, data])?;
            }
        }
        conn.execute_batch("COMMIT")?;
        Ok(())
    };
    let _ = write();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chunk_reads_back_as_it_was_written_and_a_cut_one_is_refused() {
        let c = Chunk {
            n: 2,
            cols: (0..COLUMNS).map(|k| vec![k as i64, NONE]).collect(),
            answers: (0..ANSWER_COLUMNS).map(|k| vec![k as i64 * 7]).collect(),
            words: vec!["Bảo hành".into(), "zalo".into()],
            first_at: 5,
            last_at: 9,
        };
        let blob = c.encode();
        assert_eq!(Chunk::decode(&blob, 5, 9), Some(c));
        assert_eq!(Chunk::decode(&blob[..blob.len() - 1], 5, 9), None);
        assert_eq!(Chunk::decode(b"XXXX", 5, 9), None);
        assert_eq!(key_of("a"), key_of("a"));
        assert_ne!(key_of("a"), key_of("b"));
    }
}
