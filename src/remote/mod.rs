//! Another device's transactions taken in (cross-cutting: it makes rows of every domain again):
//! [`Workspace::apply_remote`] by the merge rule of `apply.rs`, the inbox of records this build
//! does not know ([`Workspace::apply_inbox`], at open), and the signal that tells whoever shows
//! the data which tables an apply changed ([`Workspace::watch_changes`]). What a device sends is
//! read from the change log (`changelog::transaction_records`, `changes_since`).

mod apply;

use crate::changelog::RemoteTx;
use crate::db::Origin;
use crate::error::{Error, Result};
use crate::Workspace;
use serde::Serialize;
use specta::Type;

/// What an apply of another device's changes touched: the tables whose rows it wrote, so open
/// screens can refresh (the shell forwards it to the window as `WorkspaceChangedEvent`).
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, Type)]
pub struct WorkspaceChanged {
    pub tables: Vec<String>,
}

/// How applying a remote transaction went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum Applied {
    /// Its clock was already in the log: nothing was done.
    AlreadyHad,
    /// Applied: `records` stored in the log (each counts in the merge, now or when its row
    /// arrives), `kept` of them for a newer build (a table or column this one does not know).
    Applied {
        #[specta(type = i32)]
        records: u32,
        #[specta(type = i32)]
        kept: u32,
    },
}

/// What applying a page of remote transactions did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct PageApplied {
    /// Transactions (or parts) new here: the rest were in the log already.
    pub new: u32,
    /// Transactions new here; one sent in parts counts
    /// when its last part is applied.
    pub applied: u32,
    pub records: u32,
    pub kept: u32,
}

impl Workspace {
    /// Hears every apply of another device's changes made through this workspace handle.
    pub fn watch_changes(&self) -> tokio::sync::broadcast::Receiver<WorkspaceChanged> {
        self.changed.subscribe()
    }

    fn tell_changed(&self, tables: impl IntoIterator<Item = String>) {
        let mut tables: Vec<String> = tables.into_iter().collect();
        tables.sort();
        tables.dedup();
        if !tables.is_empty() {
            // nobody listening is fine
            let _ = self.changed.send(WorkspaceChanged { tables });
        }
    }

    /// Applies a transaction written on another device under its own clock, actor and device,
    /// by the merge rule (`apply`): its records are stored in the log as they came and every row
    /// they touch is made again from the log, so the result does not depend on the order
    /// transactions arrive in. A clock already in the log does nothing, so applying the same
    /// transaction twice is safe. Records of a table or column this build does not know are
    /// kept for the build that knows them. The local clock takes the remote one in
    /// ([`crate::clock::Hlc::receive`]).
    pub async fn apply_remote(&self, remote: &RemoteTx) -> Result<Applied> {
        let page = self.apply_remote_page(std::slice::from_ref(remote)).await?;
        Ok(if page.new == 0 {
            Applied::AlreadyHad
        } else {
            Applied::Applied { records: page.records, kept: page.kept }
        })
    }

    /// Applies a page of other devices' transactions (as [`Workspace::apply_remote`] each) in
    /// one write: every transaction's records stored, then every row they touch made again
    /// once. All or nothing: a clock that fails leaves the log and this device's clock as they
    /// were.
    pub(crate) async fn apply_remote_page(&self, txs: &[RemoteTx]) -> Result<PageApplied> {
        for tx in txs {
            crate::clock::Stamp::parse(&tx.hlc).ok_or_else(|| Error::invalid("hlc", "validation.hlc_invalid"))?;
        }
        let mut w = self.begin_write(Origin::Replay).await?;
        let before = w.clock().clone();
        let applied = match Self::store_page(&mut w, txs).await {
            Ok(a) => a,
            Err(e) => {
                *w.clock() = before;
                return Err(e);
            }
        };
        w.commit().await?;
        self.tell_changed(applied.1.iter().map(|t| t.to_string()));
        Ok(applied.0)
    }

    async fn store_page(
        w: &mut crate::db::WriteTx<'_>,
        txs: &[RemoteTx],
    ) -> Result<(PageApplied, std::collections::BTreeSet<&'static str>)> {
        let mut new: Vec<(i64, &[tend_sync::protocol::RemoteRecord])> = Vec::new();
        // transactions this page completes (one sent in parts counts with its last)
        let mut whole = 0u32;
        for tx in txs {
            let had: Option<i64> =
                sqlx::query_scalar("SELECT id FROM txs WHERE hlc = ?").bind(&tx.hlc).fetch_optional(w.conn()).await?;
            let id = match (had, tx.part) {
                (None, None) => Self::new_tx(w, tx).await?,
                (Some(_), None) => continue,
                (had, Some(part)) => match Self::next_part(w, tx, had, part).await? {
                    Some(id) => id,
                    None => continue,
                },
            };
            new.push((id, &tx.records));
            if tx.part.is_none_or(|p| p.index + 1 >= p.count) {
                whole += 1;
            }
        }
        if new.is_empty() {
            return Ok((PageApplied::default(), Default::default()));
        }
        let out = crate::customers::write::on_handle(w.conn(), |conn, fts| apply::apply_batch(conn, &new, fts)).await?;
        let page = PageApplied { new: new.len() as u32, applied: whole, records: out.stored, kept: out.kept };
        Ok((page, out.tables))
    }

    /// The `txs` row of another device's transaction, its clock taken in.
    async fn new_tx(w: &mut crate::db::WriteTx<'_>, tx: &RemoteTx) -> Result<i64> {
        let now = w.now;
        w.clock().receive(&tx.hlc, now)?;
        Ok(sqlx::query_scalar("INSERT INTO txs (hlc, at_ms, actor, device) VALUES (?, ?, ?, ?) RETURNING id")
            .bind(&tx.hlc)
            .bind(tx.at_ms)
            .bind(&tx.actor)
            .bind(&tx.device)
            .fetch_one(w.conn())
            .await?)
    }

    /// Where a part of a transaction sent in parts goes: the transaction's `txs` id when it is
    /// the part expected next (the first makes the row), None when it is here already. Parts
    /// come in order; one that skips ahead is refused, nothing applied.
    async fn next_part(
        w: &mut crate::db::WriteTx<'_>,
        tx: &RemoteTx,
        had: Option<i64>,
        part: tend_sync::protocol::Part,
    ) -> Result<Option<i64>> {
        let next: Option<i64> = sqlx::query_scalar("SELECT next FROM sync_parts WHERE hlc = ?")
            .bind(&tx.hlc)
            .fetch_optional(w.conn())
            .await?;
        let index = i64::from(part.index);
        let id = match (had, next) {
            (None, _) if index == 0 => Self::new_tx(w, tx).await?,
            (Some(id), Some(next)) if next == index => id,
            // the whole transaction, or this part, is here already
            (Some(_), None) => return Ok(None),
            (Some(_), Some(next)) if next > index => return Ok(None),
            _ => {
                return Err(Error::Sync {
                    key: "sync.bad_answer",
                    detail: format!(
                        "part {} of {} of transaction {} came before the part it follows",
                        part.index + 1,
                        part.count,
                        tx.hlc
                    ),
                    device: Some(tx.device.clone()),
                })
            }
        };
        if index + 1 >= i64::from(part.count) {
            sqlx::query("DELETE FROM sync_parts WHERE hlc = ?").bind(&tx.hlc).execute(w.conn()).await?;
        } else {
            sqlx::query("INSERT INTO sync_parts (hlc, next, count) VALUES (?1, ?2, ?3) ON CONFLICT (hlc) DO UPDATE SET next = ?2")
                .bind(&tx.hlc)
                .bind(index + 1)
                .bind(i64::from(part.count))
                .execute(w.conn())
                .await?;
        }
        Ok(Some(id))
    }

    /// Takes this device's transaction `hlc` out of the log, as if it had never been written (the
    /// server refused it), and makes every row it touched again from the rest of the log. False
    /// when the log has no such transaction.
    pub async fn drop_transaction(&self, hlc: &str) -> Result<bool> {
        let id: Option<i64> =
            sqlx::query_scalar("SELECT id FROM txs WHERE hlc = ?").bind(hlc).fetch_optional(self.pool()).await?;
        let Some(id) = id else { return Ok(false) };
        let mut w = self.begin_write(Origin::Replay).await?;
        let tables =
            crate::customers::write::on_handle(w.conn(), move |conn, fts| apply::drop_tx(conn, id, fts)).await?;
        w.commit().await?;
        self.tell_changed(tables.iter().map(|t| t.to_string()));
        Ok(true)
    }

    /// Applies what an older build kept for this one (records of tables or columns it did not
    /// know), each as part of the transaction it came in. Run at open; returns how many.
    pub(crate) async fn apply_inbox(&self) -> Result<u32> {
        let waiting: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM sync_inbox)").fetch_one(self.pool()).await?;
        if !waiting {
            return Ok(0);
        }
        let mut w = self.begin_write(Origin::Replay).await?;
        let (n, tables) = crate::customers::write::on_handle(w.conn(), apply::apply_inbox).await?;
        w.commit().await?;
        self.tell_changed(tables.iter().map(|t| t.to_string()));
        Ok(n)
    }
}
