//! `tend changes`: the change log as sync reads it, and another device's transactions applied.

use super::*;

#[derive(Subcommand)]
pub(super) enum ChangesCommand {
    /// The transactions in the log, newest first: clock, time, actor, device.
    List {
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
    /// One transaction (by its clock) with every record, in names: what sync sends.
    Show { hlc: String },
    /// The transactions committed after CURSOR (0: from the start), in commit order: what a sync
    /// client pushes. Prints them with the cursor to ask from next and whether more follow.
    Since {
        cursor: i64,
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
    /// Apply a transaction another device wrote (a JSON file as `changes show --json` prints
    /// it), under its own clock; one already here does nothing.
    Apply { file: PathBuf },
}

pub(super) async fn run(ws: &Workspace, command: ChangesCommand) -> Result<(), Error> {
    match command {
        ChangesCommand::List { limit } => {
            let txs = ws.transactions(limit).await?;
            print(&txs, || {
                txs.iter()
                    .map(|t| format!("{}  {}  {}", t.hlc, t.actor.as_deref().unwrap_or("-"), t.device))
                    .collect::<Vec<_>>()
                    .join("\n")
            })?;
        }
        ChangesCommand::Show { hlc } => {
            let tx = ws.transaction_records(&hlc).await?.ok_or_else(|| Error::not_found("transaction", &hlc))?;
            print(&tx, || serde_json::to_string_pretty(&tx).unwrap_or_default())?;
        }
        ChangesCommand::Since { cursor, limit } => {
            let page = ws.changes_since(cursor, limit).await?;
            print(&page, || {
                let mut lines: Vec<String> = page
                    .transactions
                    .iter()
                    .map(|t| format!("{}  {} records  {}", t.hlc, t.records.len(), t.device))
                    .collect();
                lines.push(if page.more {
                    format!("more follow: changes since {}", page.cursor)
                } else {
                    format!("up to date at cursor {}", page.cursor)
                });
                lines.join("\n")
            })?;
        }
        ChangesCommand::Apply { file } => {
            let text = std::fs::read_to_string(&file)?;
            let tx: tend::changelog::RemoteTx = serde_json::from_str(&text).map_err(|e| {
                Error::Validation(vec![
                    tend::FieldError::new("file", "validation.invalid_json").with("detail", e.to_string())
                ])
            })?;
            let applied = ws.apply_remote(&tx).await?;
            print(&applied, || match applied {
                tend::remote::Applied::AlreadyHad => format!("{} was already here: nothing done", tx.hlc),
                tend::remote::Applied::Applied { records, kept: 0 } => {
                    format!("{}: {records} records applied", tx.hlc)
                }
                tend::remote::Applied::Applied { records, kept } => format!(
                    "{}: {records} records applied, {kept} of them kept for a newer version of Tend \
                         (a table or field this one does not know)",
                    tx.hlc
                ),
            })?;
        }
    }
    Ok(())
}
