//! Search and lists (DESIGN rule 7). One search serves the customer list, Ctrl+K and the CLI.
//!
//! Indexes (local, derived, rebuilt by [`reindex`] in the same transaction as every write):
//! - `customers.name_folded`: folded name, B-tree indexed for exact and prefix matches;
//! - `customer_fts`: FTS5 over folded name (column `name`) and folded contacts, emails, tax code
//!   and notes (column `body`), with prefix indexes 1-4;
//! - `phone_fts`: trigram FTS5 over every phone in national (0912345678) and international
//!   (84912345678) digits, so any fragment of three or more digits matches;
//! - `customer_tags`, `customer_keys`: tag filter and duplicate detection.
//!
//! Ranking never scores every match: tiers run in order, each bounded by LIMIT through an index —
//! phone fragment, exact folded name, folded-name prefix, all words in the name (last as prefix),
//! all words anywhere — and the first `limit` distinct customers win.

use crate::error::Result;
use crate::fold::{digits, fold, tokens};
use crate::Workspace;
use rusqlite::types::Value;
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use specta::Type;
use std::collections::HashSet;

/// Filters of the customer list; all optional, combined with AND.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Type)]
#[serde(default)]
pub struct CustomerFilter {
    pub query: Option<String>,
    pub stage_id: Option<String>,
    pub owner_id: Option<String>,
    pub tag: Option<String>,
    pub province: Option<String>,
    /// Members of this segment only (dynamic or static).
    pub segment_id: Option<String>,
    /// The segment's condition, compiled by [`Workspace::with_segment`] before the list is read.
    #[serde(skip)]
    pub segment: Option<CompiledSegment>,
    /// A report's condition on `customers c` (the customers behind one of its numbers), made
    /// only by the core (`Workspace::report_customers`).
    #[serde(skip)]
    pub condition: Option<Box<CompiledSegment>>,
}

/// A segment's condition, made only by the core (so a filter cannot carry SQL from elsewhere).
#[derive(Debug, Clone, PartialEq)]
pub struct CompiledSegment(pub(crate) crate::segments::sql::Sql);

impl CustomerFilter {
    fn has_filters(&self) -> bool {
        self.stage_id.is_some()
            || self.owner_id.is_some()
            || self.tag.is_some()
            || self.province.is_some()
            || self.segment_id.is_some()
            || self.condition.is_some()
    }

    /// The (dimension, value) pairs of `customer_counts` this filter's filters are.
    fn dimensions(&self) -> Vec<(&'static str, &str)> {
        [
            ("stage", self.stage_id.as_deref()),
            ("owner", self.owner_id.as_deref()),
            ("province", self.province.as_deref()),
            ("tag", self.tag.as_deref()),
        ]
        .into_iter()
        .filter_map(|(d, v)| v.map(|v| (d, v)))
        .collect()
    }

    /// The one (dimension, value) of `customer_counts` this filter selects: ("all", "") without
    /// filters; None when more than one filter is set.
    fn single_dimension(&self) -> Option<(&'static str, &str)> {
        if self.segment_id.is_some() || self.condition.is_some() {
            return None; // a segment has no live count: it is counted
        }
        let set = self.dimensions();
        match set.as_slice() {
            [] => Some(("all", "")),
            [one] => Some(*one),
            _ => None,
        }
    }
}

/// A customer as a list row or search hit.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct CustomerSummary {
    pub id: String,
    pub kind: crate::customers::CustomerKind,
    pub name: String,
    /// E.164
    pub phones: Vec<String>,
    pub emails: Vec<String>,
    pub tax_code: Option<String>,
    pub province: Option<String>,
    pub stage_id: Option<String>,
    pub owner_id: Option<String>,
    pub tags: Vec<String>,
    #[specta(type = i32)]
    pub updated_at: i64,
    #[specta(type = Option<i32>)]
    pub deleted_at: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct CustomerPage {
    /// Rows matching the filter (for a text query: the hits found, at most the search cap).
    /// Counted for the first page only (offset 0); later pages of the same filter carry None.
    #[specta(type = Option<i32>)]
    pub total: Option<i64>,
    #[specta(type = i32)]
    pub offset: i64,
    /// True when a text query found more than `SEARCH_CAP` hits and only the best are listed.
    pub capped: bool,
    /// True when `total` is an estimate (two or more filters: from each one's live count, as
    /// if they were independent); [`Workspace::count_customers`] gives the exact one.
    pub estimated: bool,
    pub rows: Vec<CustomerSummary>,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct FacetCount {
    pub value: String,
    #[specta(type = i32)]
    pub count: i64,
}

/// Values to filter by, with counts.
#[derive(Debug, Clone, Serialize, Type)]
pub struct Facets {
    pub stages: Vec<FacetCount>,
    pub owners: Vec<FacetCount>,
    pub provinces: Vec<FacetCount>,
    pub tags: Vec<FacetCount>,
}

/// A text query's hits in the list are capped at this many.
pub const SEARCH_CAP: i64 = 500;

/// Everything the search indexes hold for one customer, computed from its data.
#[derive(Debug, Default, PartialEq)]
pub struct IndexDoc {
    pub name_folded: String,
    pub body: String,
    pub phone_digits: String,
    pub tags: Vec<String>,
    pub keys: Vec<String>,
}

/// What the search indexes are computed from.
#[derive(Debug, Default)]
pub struct DocFields<'a> {
    pub name: &'a str,
    /// E.164
    pub phones: Vec<&'a str>,
    pub emails: Vec<&'a str>,
    pub tax_code: Option<&'a str>,
    pub external_id: Option<&'a str>,
    pub notes: Option<&'a str>,
    pub tags: &'a [String],
    /// (name, phone, email) of each live contact
    pub contacts: &'a [(String, Option<String>, Option<String>)],
}

/// Computes the index entries of a customer (also used by the demo generator).
pub fn index_doc(f: &DocFields) -> IndexDoc {
    let DocFields { name, phones, emails, tax_code, external_id, notes, tags, contacts } = f;
    let mut body = Vec::new();
    let mut all_phones: Vec<&str> = phones.clone();
    for (cname, cphone, cemail) in contacts.iter() {
        body.push(fold(cname));
        if let Some(e) = cemail {
            body.push(fold(e));
        }
        if let Some(p) = cphone {
            all_phones.push(p.as_str());
        }
    }
    for e in emails {
        body.push(fold(e));
    }
    if let Some(t) = tax_code {
        body.push(t.to_string());
        body.push(digits(t));
    }
    if let Some(x) = external_id {
        body.push(fold(x));
    }
    if let Some(n) = notes {
        body.push(fold(n));
    }
    let mut ph = Vec::new();
    for p in &all_phones {
        let d = digits(p);
        ph.push(d.clone());
        if let Some(rest) = d.strip_prefix("84") {
            ph.push(format!("0{rest}"));
        }
    }
    let mut keys: Vec<String> = phones.iter().map(|p| format!("p:{p}")).collect();
    if let Some(x) = external_id {
        keys.push(crate::customers::external_key(x));
    }
    keys.extend(emails.iter().map(|e| format!("e:{}", e.to_lowercase())));
    if let Some(t) = tax_code {
        keys.push(format!("t:{t}"));
    }
    keys.sort();
    keys.dedup();
    IndexDoc { name_folded: fold(name), body: body.join(" \n "), phone_digits: ph.join(" "), tags: tags.to_vec(), keys }
}

/// SQL conditions on `c` (customers) for the filters, and their bind values.
/// Live customers with `value` in `dim` (`customer_counts`, kept by triggers).
fn live_count(conn: &rusqlite::Connection, dim: &str, value: &str) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT n FROM customer_counts WHERE dim = ? AND value = ?")?
        .query_row([dim, value], |r| r.get(0))
        .optional()?
        .unwrap_or(0))
}

/// The tag filter as a set (SQLite builds it once: right for a rare tag) ...
const TAG_IN: &str = " AND c.seq IN (SELECT customer_seq FROM customer_tags WHERE tag = ?)";
/// ... and as a lookup per customer (right while walking the names for a common one).
const TAG_EXISTS: &str = " AND EXISTS (SELECT 1 FROM customer_tags t WHERE t.tag = ? AND t.customer_seq = c.seq)";

pub(crate) fn filter_sql(f: &CustomerFilter) -> (String, Vec<Value>) {
    let mut sql = String::new();
    let mut binds = Vec::new();
    if let Some(v) = &f.stage_id {
        sql.push_str(" AND c.stage_id = ?");
        binds.push(Value::Text(v.clone()));
    }
    if let Some(v) = &f.owner_id {
        sql.push_str(" AND c.owner_id = ?");
        binds.push(Value::Text(v.clone()));
    }
    if let Some(v) = &f.province {
        sql.push_str(" AND c.province = ?");
        binds.push(Value::Text(v.clone()));
    }
    if let Some(v) = &f.tag {
        sql.push_str(TAG_IN);
        binds.push(Value::Text(v.clone()));
    }
    match (&f.segment_id, &f.segment) {
        (Some(_), Some(CompiledSegment(seg))) => {
            sql.push_str(&format!(" AND ({})", seg.text));
            binds.extend(seg.params.iter().cloned());
        }
        // a segment not compiled (a caller that skipped `with_segment`) matches nothing rather
        // than everything
        (Some(_), None) => sql.push_str(" AND 0"),
        _ => {}
    }
    if let Some(CompiledSegment(c)) = f.condition.as_deref() {
        sql.push_str(&format!(" AND ({})", c.text));
        binds.extend(c.params.iter().cloned());
    }
    (sql, binds)
}

/// The live customers a filter or search finds (all when empty), by name.
pub(crate) fn matching(conn: &rusqlite::Connection, filter: &CustomerFilter) -> Result<Vec<i64>> {
    Ok(match filter.query.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        Some(q) => search_seqs(conn, q, filter, 10_000_000)?,
        None => {
            let (fsql, binds) = filter_sql(filter);
            let mut st = conn.prepare(&format!(
                "SELECT c.seq FROM customers c WHERE c.deleted_at IS NULL{fsql} ORDER BY c.name_folded, c.seq"
            ))?;
            let rows = st.query_map(rusqlite::params_from_iter(binds.iter()), |r| r.get::<_, i64>(0))?;
            rows.collect::<std::result::Result<_, _>>()?
        }
    })
}

fn seqs(conn: &rusqlite::Connection, sql: &str, first: &[String], binds: &[Value], limit: i64) -> Result<Vec<i64>> {
    let mut st = conn.prepare_cached(sql)?;
    let mut params: Vec<&dyn rusqlite::ToSql> = Vec::with_capacity(first.len() + binds.len() + 1);
    for b in first {
        params.push(b);
    }
    for b in binds {
        params.push(b);
    }
    params.push(&limit);
    let rows = st.query_map(params.as_slice(), |r| r.get::<_, i64>(0))?;
    Ok(rows.collect::<std::result::Result<Vec<i64>, _>>()?)
}

/// The ranked customer seqs for a text query (at most `limit`).
pub(crate) fn search_seqs(
    conn: &rusqlite::Connection,
    query: &str,
    filter: &CustomerFilter,
    limit: i64,
) -> Result<Vec<i64>> {
    let folded = fold(query);
    let toks = tokens(&folded);
    let (fsql, fb) = filter_sql(filter);
    let filtered = filter.has_filters();
    let fts_binds: &[Value] = if filtered { &fb } else { &[] };
    let mut out: Vec<i64> = Vec::new();
    let mut seen: HashSet<i64> = HashSet::new();
    let mut take = |found: Vec<i64>, out: &mut Vec<i64>| {
        for s in found {
            if out.len() as i64 >= limit {
                break;
            }
            if seen.insert(s) {
                out.push(s);
            }
        }
    };
    // FTS results go through a bounded subquery before any other filter, so the planner always
    // starts from the FTS index (PLATFORM.md: combining MATCH with filters can lose it).
    let fts = |inner: &str| -> String {
        if filtered {
            format!(
                "SELECT c.seq FROM customers c WHERE c.seq IN ({inner} LIMIT 5000) AND c.deleted_at IS NULL{fsql} LIMIT ?"
            )
        } else {
            format!("{inner} LIMIT ?")
        }
    };

    // 1. Phone numbers and fragments (three digits or more, no letters).
    let d = digits(query);
    let phoneish = d.len() >= 3 && !query.chars().any(|c| c.is_alphabetic());
    if phoneish {
        let sql = fts("SELECT rowid FROM phone_fts WHERE phone_fts MATCH ?");
        take(seqs(conn, &sql, &[format!("\"{d}\"")], fts_binds, limit)?, &mut out);
    }
    if toks.is_empty() || out.len() as i64 >= limit {
        return Ok(out);
    }
    // Names hold no digit-only words, so a number skips the name tiers (2-4) and goes on to the
    // other fields (tax codes, notes) in tier 5.
    let name_tiers = !phoneish;
    // 2. Exact folded name.
    if name_tiers {
        let sql =
            format!("SELECT c.seq FROM customers c WHERE c.name_folded = ? AND c.deleted_at IS NULL{fsql} LIMIT ?");
        take(seqs(conn, &sql, std::slice::from_ref(&folded), &fb, limit)?, &mut out);
    }
    // 3. Folded name starts with the query.
    if name_tiers && (out.len() as i64) < limit {
        let upper = format!("{folded}\u{10FFFF}");
        let sql = format!(
            "SELECT c.seq FROM customers c WHERE c.name_folded > ? AND c.name_folded < ? AND c.deleted_at IS NULL{fsql}
             ORDER BY c.name_folded LIMIT ?"
        );
        take(seqs(conn, &sql, &[folded.clone(), upper], &fb, limit)?, &mut out);
    }
    let phrase: Vec<String> = toks
        .iter()
        .enumerate()
        .map(|(i, t)| if i + 1 == toks.len() { format!("\"{t}\"*") } else { format!("\"{t}\"") })
        .collect();
    let phrase = phrase.join(" ");
    if (out.len() as i64) >= limit {
        return Ok(out);
    }
    // 4. Every word in the name (the last one as a prefix), then 5. every word anywhere: contacts,
    // emails, tax code, notes. Tier 4 is a subset of tier 5, so tier 5 runs first: when it is not cut
    // by the limit it holds every tier-4 hit, and those are put first here instead of scanning the
    // index a second time. Only a cut tier 5 needs the name-only query.
    let sql = fts("SELECT rowid FROM customer_fts WHERE customer_fts MATCH ?");
    let anywhere = seqs(conn, &sql, std::slice::from_ref(&phrase), fts_binds, limit + 1)?;
    if name_tiers {
        if anywhere.len() as i64 > limit {
            take(seqs(conn, &sql, &[format!("name : ({phrase})")], fts_binds, limit)?, &mut out);
        } else {
            let names = folded_names(conn, &anywhere)?;
            let (in_name, elsewhere): (Vec<i64>, Vec<i64>) =
                anywhere.iter().partition(|s| names.get(s).is_some_and(|n| name_has_words(n, &toks)));
            take(in_name, &mut out);
            take(elsewhere, &mut out);
        }
    }
    take(anywhere, &mut out);
    Ok(out)
}

/// The folded names of some customers, by seq.
fn folded_names(conn: &rusqlite::Connection, seqs: &[i64]) -> Result<std::collections::HashMap<i64, String>> {
    let list = format!("[{}]", seqs.iter().map(|s| s.to_string()).collect::<Vec<_>>().join(","));
    let mut st =
        conn.prepare_cached("SELECT seq, name_folded FROM customers WHERE seq IN (SELECT value FROM json_each(?))")?;
    let rows = st.query_map([list], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// What `name : ("w1" "w2" "w3"*)` matches in the name index: every word a whole word of the folded
/// name, the last one a prefix of one (the index tokenises folded text on the same boundaries).
fn name_has_words(name_folded: &str, words: &[String]) -> bool {
    let name = tokens(name_folded);
    let Some((last, whole)) = words.split_last() else { return false };
    whole.iter().all(|w| name.contains(w)) && name.iter().any(|t| t.starts_with(last.as_str()))
}

const SUMMARY_COLS: &str =
    "c.seq, c.id, c.kind, c.name, c.phones, c.emails, c.tax_code, c.province, c.stage_id, c.owner_id, c.tags, c.updated_at, c.deleted_at";

fn summary(r: &rusqlite::Row<'_>) -> Result<(i64, CustomerSummary)> {
    let phones: Vec<crate::customers::Phone> = serde_json::from_str(&r.get::<_, String>(4)?)?;
    let emails: Vec<crate::customers::Email> = serde_json::from_str(&r.get::<_, String>(5)?)?;
    let kind: String = r.get(2)?;
    Ok((
        r.get(0)?,
        CustomerSummary {
            id: r.get(1)?,
            kind: crate::customers::CustomerKind::read(&kind),
            name: r.get(3)?,
            phones: phones.into_iter().map(|p| p.number).collect(),
            emails: emails.into_iter().map(|e| e.address).collect(),
            tax_code: r.get(6)?,
            province: r.get(7)?,
            stage_id: r.get(8)?,
            owner_id: r.get(9)?,
            tags: serde_json::from_str(&r.get::<_, String>(10)?)?,
            updated_at: r.get(11)?,
            deleted_at: r.get(12)?,
        },
    ))
}

fn summaries(
    conn: &rusqlite::Connection,
    sql: &str,
    params: &[&dyn rusqlite::ToSql],
) -> Result<Vec<(i64, CustomerSummary)>> {
    let mut st = conn.prepare_cached(sql)?;
    let mut rows = st.query(params)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(summary(r)?);
    }
    Ok(out)
}

/// Summaries for these seqs, in their order.
pub(crate) fn hydrate(conn: &rusqlite::Connection, seqs: &[i64]) -> Result<Vec<CustomerSummary>> {
    if seqs.is_empty() {
        return Ok(vec![]);
    }
    // One statement for any number of seqs (a JSON array bind), so it stays in the statement cache
    // beside the tier queries instead of evicting them with a new SQL text per result list.
    let list = format!("[{}]", seqs.iter().map(|s| s.to_string()).collect::<Vec<_>>().join(","));
    let rows = summaries(
        conn,
        &format!("SELECT {SUMMARY_COLS} FROM customers c WHERE c.seq IN (SELECT value FROM json_each(?))"),
        &[&list],
    )?;
    let mut by_seq: std::collections::HashMap<i64, CustomerSummary> = rows.into_iter().collect();
    Ok(seqs.iter().filter_map(|s| by_seq.remove(s)).collect())
}

impl Workspace {
    /// Ranked search, best first: what Ctrl+K and the CLI show. Runs on a read connection
    /// (sub-millisecond queries; no round trips through the async pool).
    pub async fn search(&self, query: &str, limit: u32) -> Result<Vec<CustomerSummary>> {
        if limit == 0 {
            return Err(crate::Error::Validation(vec![
                crate::FieldError::new("limit", "validation.positive").with("value", "0")
            ]));
        }
        self.readers().with(|conn| {
            let seqs = search_seqs(conn, query, &CustomerFilter::default(), (limit as i64).clamp(1, SEARCH_CAP))?;
            hydrate(conn, &seqs)
        })
    }

    /// A page of the customer list: filtered, by name; with a text query, ranked as search.
    pub async fn list_customers(&self, filter: &CustomerFilter, offset: i64, limit: i64) -> Result<CustomerPage> {
        let filter = &self.with_segment(filter).await?;
        let offset = offset.max(0);
        let limit = limit.clamp(1, 500);
        let query = filter.query.as_deref().map(str::trim).unwrap_or("");
        self.readers().with(|conn| {
            if !query.is_empty() {
                let all = search_seqs(conn, query, filter, SEARCH_CAP)?;
                let page: Vec<i64> = all.iter().skip(offset as usize).take(limit as usize).copied().collect();
                let rows = hydrate(conn, &page)?;
                return Ok(CustomerPage {
                    total: Some(all.len() as i64),
                    offset,
                    capped: all.len() as i64 >= SEARCH_CAP,
                    estimated: false,
                    rows,
                });
            }
            let (mut fsql, fb) = filter_sql(filter);
            let params: Vec<&dyn rusqlite::ToSql> = fb.iter().map(|b| b as &dyn rusqlite::ToSql).collect();
            // A tag filter: walk the names in order and look each customer's tag up when the tag
            // is common (a page of 100 needs about 100 / share lookups), else sort the tag's
            // customers (fewer than 1% of them). The live counts say which.
            let mut order_index = "";
            if let Some(tag) = &filter.tag {
                if live_count(conn, "tag", tag)? * 100 >= live_count(conn, "all", "")? {
                    fsql = fsql.replace(TAG_IN, TAG_EXISTS);
                    order_index = " INDEXED BY customers_name";
                }
            }
            // The total: read from the live counts when at most one filter is set (O(1), kept by
            // triggers in every write's transaction, so never stale); with more, an estimate from
            // each one's count, marked as such (the list asks `count_customers` for the exact one).
            let mut estimated = false;
            let total: Option<i64> = if offset == 0 {
                Some(match filter.single_dimension() {
                    Some((dim, value)) => live_count(conn, dim, value)?,
                    // a segment's members are counted: exact, never estimated
                    None if filter.segment_id.is_some() || filter.condition.is_some() => conn
                        .prepare_cached(&format!("SELECT COUNT(*) FROM customers c WHERE c.deleted_at IS NULL{fsql}"))?
                        .query_row(params.as_slice(), |r| r.get(0))?,
                    None => {
                        estimated = true;
                        let all = live_count(conn, "all", "")?.max(1) as f64;
                        let mut share = 1.0;
                        for (dim, value) in filter.dimensions() {
                            share *= live_count(conn, dim, value)? as f64 / all;
                        }
                        (all * share).round() as i64
                    }
                })
            } else {
                None
            };
            let mut page_params = params.clone();
            page_params.push(&limit);
            page_params.push(&offset);
            let rows = summaries(
                conn,
                &format!(
                    "SELECT {SUMMARY_COLS} FROM customers c{order_index} WHERE c.deleted_at IS NULL{fsql}
                     ORDER BY c.name_folded, c.seq LIMIT ? OFFSET ?"
                ),
                &page_params,
            )?;
            Ok(CustomerPage { total, offset, capped: false, estimated, rows: rows.into_iter().map(|r| r.1).collect() })
        })
    }

    /// The exact number of live customers a filter (without a text query) selects: counted, so
    /// linear in the matches; for the total the list marks as an estimate.
    pub async fn count_customers(&self, filter: &CustomerFilter) -> Result<i64> {
        let filter = &self.with_segment(filter).await?;
        self.readers().with(|conn| {
            if let Some((dim, value)) = filter.single_dimension() {
                return live_count(conn, dim, value);
            }
            let (fsql, fb) = filter_sql(filter);
            let params: Vec<&dyn rusqlite::ToSql> = fb.iter().map(|b| b as &dyn rusqlite::ToSql).collect();
            Ok(conn
                .prepare_cached(&format!("SELECT COUNT(*) FROM customers c WHERE c.deleted_at IS NULL{fsql}"))?
                .query_row(params.as_slice(), |r| r.get(0))?)
        })
    }

    /// Trashed customers, most recently trashed first.
    pub async fn trash(&self, offset: i64, limit: i64) -> Result<CustomerPage> {
        let (offset, limit) = (offset.max(0), limit.clamp(1, 500));
        self.readers().with(|conn| {
            let total: Option<i64> =
                Some(conn.query_row("SELECT COUNT(*) FROM customers WHERE deleted_at IS NOT NULL", [], |r| r.get(0))?);
            let rows = summaries(
                conn,
                &format!(
                    "SELECT {SUMMARY_COLS} FROM customers c WHERE c.deleted_at IS NOT NULL
                     ORDER BY c.deleted_at DESC LIMIT ? OFFSET ?"
                ),
                &[&limit, &offset],
            )?;
            Ok(CustomerPage {
                total,
                offset,
                capped: false,
                estimated: false,
                rows: rows.into_iter().map(|r| r.1).collect(),
            })
        })
    }

    /// Filter values with counts, for the list's filter menus.
    pub async fn facets(&self) -> Result<Facets> {
        async fn counts(ws: &Workspace, sql: &str) -> Result<Vec<FacetCount>> {
            let rows: Vec<(String, i64)> = sqlx::query_as(sql).fetch_all(ws.pool()).await?;
            Ok(rows.into_iter().map(|(value, count)| FacetCount { value, count }).collect())
        }
        // from the live counts (kept by triggers), not counted over every customer
        Ok(Facets {
            stages: counts(self, "SELECT value, n FROM customer_counts WHERE dim = 'stage' AND n > 0").await?,
            owners: counts(self, "SELECT value, n FROM customer_counts WHERE dim = 'owner' AND n > 0").await?,
            provinces: counts(
                self,
                "SELECT value, n FROM customer_counts WHERE dim = 'province' AND n > 0 ORDER BY value",
            )
            .await?,
            tags: counts(
                self,
                "SELECT value, n FROM customer_counts WHERE dim = 'tag' AND n > 0 ORDER BY n DESC, value LIMIT 200",
            )
            .await?,
        })
    }
}
