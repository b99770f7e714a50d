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
        crate::clock::Stamp::parse(&remote.hlc).ok_or_else(|| Error::invalid("hlc", "validation.hlc_invalid"))?;
        let Some(mut w) = self.begin_write(Origin::Remote(remote)).await? else { return Ok(Applied::AlreadyHad) };
        let (tx_id, records) = (w.tx_id, &remote.records);
        let out =
            crate::customers::write::on_handle(w.conn(), |conn, fts| apply::apply_records(conn, tx_id, records, fts))
                .await?;
        w.commit().await?;
        self.tell_changed(out.tables.iter().map(|t| t.to_string()));
        Ok(Applied::Applied { records: out.stored, kept: out.kept })
    }

    /// Takes this device's transaction `hlc` out of the log, as if it had never been written (the
    /// server refused it), and makes every row it touched again from the rest of the log. False
    /// when the log has no such transaction.
    pub async fn drop_transaction(&self, hlc: &str) -> Result<bool> {
        let id: Option<i64> =
            sqlx::query_scalar("SELECT id FROM txs WHERE hlc = ?").bind(hlc).fetch_optional(self.pool()).await?;
        let Some(id) = id else { return Ok(false) };
        let Some(mut w) = self.begin_write(Origin::Kept).await? else { return Ok(false) };
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
        let Some(mut w) = self.begin_write(Origin::Kept).await? else { return Ok(0) };
        let (n, tables) = crate::customers::write::on_handle(w.conn(), apply::apply_inbox).await?;
        w.commit().await?;
        self.tell_changed(tables.iter().map(|t| t.to_string()));
        Ok(n)
    }
}
