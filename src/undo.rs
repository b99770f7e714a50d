//! Undo through change records (cross-cutting: imports and customer merges are undone by it).
//! A write transaction is reversed by a new one: what it created goes to the trash (a tombstone,
//! DESIGN rule 5: customers can be restored from the trash screen; unless written to since);
//! what it changed is set back to the value before (unless changed again since: then it is kept
//! and reported).

use crate::changelog::table_code;
use crate::db::WriteTx;
use crate::error::Result;

/// Whether a reversal may set this column back: the registry's rule for the table.
fn revertible(tbl: &str, col: &str) -> bool {
    tend_sync::registry::by_name(tbl).is_some_and(|t| t.revertible(col))
}

/// What reversing a transaction did.
#[derive(Debug, Default)]
pub(crate) struct Reverted {
    pub removed: u64,
    /// interactions it created on customers that were already there, now removed
    pub removed_interactions: u64,
    /// tickets and survey answers it created (an import of tickets), now deleted (tombstones)
    pub removed_tickets: u64,
    pub removed_answers: u64,
    /// customers whose own columns or custom values were set back
    pub reverted: Vec<String>,
    pub kept: Vec<String>,
}

/// Whether the rows `cond` names (a condition on `changes c` with `?2`.. for `binds`) were written
/// after transaction `tx`, in clock order.
async fn later(w: &mut WriteTx<'_>, cond: &str, binds: &[&str], tx: i64) -> Result<bool> {
    crate::changelog::written_since(w.conn(), cond, binds, tx).await
}

/// The rows of `tbl` that transaction `tx` inserted (one insert record each).
async fn created(w: &mut WriteTx<'_>, tbl: &str, tx: i64) -> Result<Vec<String>> {
    let sql = format!("SELECT DISTINCT row_id FROM changes WHERE tx = ? AND tbl = {} AND col = 0", table_code(tbl));
    Ok(sqlx::query_scalar(&sql).bind(tx).fetch_all(&mut *w.conn()).await?)
}

/// The condition for the records of row `?2` of table `tbl`.
fn row_of(tbl: &str) -> String {
    format!("c.tbl = {} AND c.row_id = ?2", table_code(tbl))
}

/// Reverses transaction `tx` inside the write transaction `w`.
pub(crate) async fn revert(w: &mut WriteTx<'_>, tx: i64) -> Result<Reverted> {
    let now = w.now;
    let mut out = Reverted::default();
    // the rows it inserted: one insert record each
    let new_customers = created(w, "customers", tx).await?;
    let new_fields = created(w, "custom_fields", tx).await?;
    let mut touched: Vec<String> = Vec::new();
    let touch = |id: String, touched: &mut Vec<String>| {
        if !touched.contains(&id) {
            touched.push(id);
        }
    };

    // Contacts and interactions it created on customers that were already there: tombstoned.
    for tbl in ["contacts", "interactions"] {
        for rid in created(w, tbl, tx).await? {
            let owner: Option<String> = sqlx::query_scalar(&format!("SELECT customer_id FROM {tbl} WHERE id = ?"))
                .bind(&rid)
                .fetch_optional(&mut *w.conn())
                .await?;
            let Some(owner) = owner else { continue };
            if new_customers.contains(&owner) {
                continue; // goes with its customer below
            }
            if later(w, &row_of(tbl), &[&rid], tx).await? {
                out.kept.push(format!("{tbl}/{rid}"));
                continue;
            }
            sqlx::query(&format!("UPDATE {tbl} SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL"))
                .bind(now)
                .bind(&rid)
                .execute(&mut *w.conn())
                .await?;
            if tbl == "interactions" {
                out.removed_interactions += 1;
            }
            touch(owner, &mut touched);
        }
    }

    // Static-list memberships it added to customers that were already there (a merge adds the
    // other customer's lists to the survivor): taken out. A list joined since is a new row, kept.
    for rid in created(w, "segment_members", tx).await? {
        let Some((segment_id, customer_id)) = rid.split_once('/') else { continue };
        if new_customers.iter().any(|c| c == customer_id) {
            continue; // goes with its customer below
        }
        if later(w, &row_of("segment_members"), &[&rid], tx).await? {
            out.kept.push(format!("segment_members/{rid}"));
            continue;
        }
        sqlx::query("DELETE FROM segment_members WHERE segment_id = ? AND customer_id = ?")
            .bind(segment_id)
            .bind(customer_id)
            .execute(&mut *w.conn())
            .await?;
        touch(customer_id.to_string(), &mut touched);
    }

    // Customers it created: to the trash, whole (contacts, values and interactions stay with
    // them, so a restore brings everything back), unless written to since.
    for cid in &new_customers {
        let own = format!("(({}) OR c.entity = ?2)", row_of("customers"));
        if later(w, &own, &[cid], tx).await? {
            out.kept.push(format!("customers/{cid}"));
            continue;
        }
        let seq: Option<i64> = sqlx::query_scalar(
            "UPDATE customers SET deleted_at = ?1 WHERE id = ?2 AND deleted_at IS NULL RETURNING seq",
        )
        .bind(now)
        .bind(cid)
        .fetch_optional(&mut *w.conn())
        .await?;
        let Some(seq) = seq else { continue }; // purged since
        crate::customers::reindex(w.conn(), seq).await?; // a trashed customer leaves the indexes
        out.removed += 1;
    }

    // Tickets and survey answers it created (a tickets import), whoever's they are: deleted
    // (tombstones), so the reports no longer count them; after the customers above, whose check
    // for later writes would otherwise meet these very deletions. One written since is kept.
    for tbl in ["tickets", "survey_answers"] {
        for rid in created(w, tbl, tx).await? {
            if later(w, &row_of(tbl), &[&rid], tx).await? {
                out.kept.push(format!("{tbl}/{rid}"));
                continue;
            }
            let done = sqlx::query(&format!("UPDATE {tbl} SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL"))
                .bind(now)
                .bind(&rid)
                .execute(&mut *w.conn())
                .await?
                .rows_affected();
            match tbl {
                "tickets" => out.removed_tickets += done,
                _ => out.removed_answers += done,
            }
        }
    }

    // Rows it changed: each column back to its value before, if still as it left it.
    for tbl in ["customers", "contacts", "interactions", "deals", "care_enrolments", "care_tasks"] {
        let changed: Vec<(String, String, String)> = sqlx::query_as(&format!(
            "SELECT DISTINCT c.row_id, k.name, COALESCE(c.entity, c.row_id) FROM changes c
             JOIN change_columns k ON k.tbl = c.tbl AND k.code = c.col
             WHERE c.tx = ?1 AND c.tbl = {code} AND c.col > 0
             AND c.row_id NOT IN (SELECT row_id FROM changes WHERE tx = ?1 AND tbl = {code} AND col = 0)
             ORDER BY c.row_id",
            code = table_code(tbl)
        ))
        .bind(tx)
        .fetch_all(&mut *w.conn())
        .await?;
        for (rid, col, entity) in changed {
            if !revertible(tbl, &col) {
                continue;
            }
            let exists: Option<i64> = sqlx::query_scalar(&format!("SELECT 1 FROM {tbl} WHERE id = ?"))
                .bind(&rid)
                .fetch_optional(&mut *w.conn())
                .await?;
            if exists.is_none() {
                continue; // purged since
            }
            let column = format!(
                "{} AND c.col IN (SELECT code FROM change_columns WHERE tbl = c.tbl AND name = ?3)",
                row_of(tbl)
            );
            if later(w, &column, &[&rid, &col], tx).await? {
                out.kept.push(format!("{tbl}/{rid}.{col}"));
                continue;
            }
            // the value before: the column's latest change before this transaction
            let sql = format!("UPDATE {tbl} SET {col} = ({}) WHERE id = ?1", crate::changelog::value_before_sql(tbl));
            sqlx::query(&sql).bind(&rid).bind(&col).bind(tx).execute(&mut *w.conn()).await?;
            if tbl == "customers" {
                if !out.reverted.contains(&rid) {
                    out.reverted.push(rid.clone());
                }
            } else {
                // a contact or interaction moved back: both customers' search entries change
                let owner: Option<String> = sqlx::query_scalar(&format!("SELECT customer_id FROM {tbl} WHERE id = ?"))
                    .bind(&rid)
                    .fetch_optional(&mut *w.conn())
                    .await?;
                if let Some(o) = owner {
                    touch(o, &mut touched);
                }
            }
            touch(entity, &mut touched);
        }
    }

    // Custom values it wrote on customers that were already there.
    let values: Vec<String> = sqlx::query_scalar(&format!(
        "SELECT DISTINCT row_id FROM changes WHERE tx = ?1 AND tbl = {} AND entity NOT IN
         (SELECT row_id FROM changes WHERE tx = ?1 AND tbl = {} AND col = 0)",
        table_code("custom_values"),
        table_code("customers")
    ))
    .bind(tx)
    .fetch_all(&mut *w.conn())
    .await?;
    for rid in values {
        let Some((cid, field)) = rid.split_once('/') else { continue };
        if later(w, &row_of("custom_values"), &[&rid], tx).await? {
            out.kept.push(format!("custom_values/{rid}"));
            continue;
        }
        let before = crate::changelog::value_before(w.conn(), "custom_values", &rid, "value", tx).await?;
        let q = match before {
            Some(v) => sqlx::query("UPDATE custom_values SET value = ? WHERE customer_id = ? AND field_id = ?").bind(v),
            None => sqlx::query("DELETE FROM custom_values WHERE customer_id = ? AND field_id = ?"),
        };
        q.bind(cid).bind(field).execute(&mut *w.conn()).await?;
        if !out.reverted.iter().any(|t| t == cid) {
            out.reverted.push(cid.to_string());
        }
    }
    for cid in out.reverted.clone().into_iter().chain(touched) {
        let seq: Option<i64> = sqlx::query_scalar("SELECT seq FROM customers WHERE id = ?")
            .bind(&cid)
            .fetch_optional(&mut *w.conn())
            .await?;
        if let Some(seq) = seq {
            crate::customers::reindex(w.conn(), seq).await?;
        }
    }

    // Fields it made, if no customer outside the trash has a value in them (those in the trash
    // keep theirs).
    for fid in new_fields {
        let used: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM custom_values v JOIN customers c ON c.id = v.customer_id
             WHERE v.field_id = ? AND v.value IS NOT NULL AND c.deleted_at IS NULL",
        )
        .bind(&fid)
        .fetch_one(&mut *w.conn())
        .await?;
        if used > 0 {
            out.kept.push(format!("custom_fields/{fid}"));
            continue;
        }
        sqlx::query("UPDATE custom_fields SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL")
            .bind(now)
            .bind(&fid)
            .execute(&mut *w.conn())
            .await?;
    }
    Ok(out)
}
