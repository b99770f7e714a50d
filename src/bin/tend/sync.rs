//! `tend sync`: share this workspace through a tend-server, join a shared one, sync now, and
//! (owners and managers) invite and revoke. The device token lives in the OS keychain, or in the
//! file `--token-file` names (servers and tests): give it to every sync command.

use super::*;
use tend::staff::Role;
use tend::sync::{SyncProgress, TokenStore};

#[derive(clap::Args)]
pub(super) struct Token {
    /// Keep the device token in this file (mode 0600) instead of the keychain.
    #[arg(long, global = true)]
    token_file: Option<PathBuf>,
}

impl Token {
    fn store(&self) -> TokenStore {
        match &self.token_file {
            Some(p) => TokenStore::File(p.clone()),
            None => TokenStore::Keychain,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
pub(super) enum InviteRole {
    Agent,
    Manager,
    Owner,
}

#[derive(Subcommand)]
pub(super) enum SyncCommand {
    /// Share this workspace: it becomes the shared one on SERVER (with the owner's invite code
    /// that `tend-server workspace create` printed), its whole history uploaded.
    Share {
        server: String,
        #[arg(long)]
        invite: String,
        #[command(flatten)]
        token: Token,
    },
    /// Join a shared workspace: this (new, empty) workspace downloads it.
    Join {
        server: String,
        #[arg(long)]
        invite: String,
        #[command(flatten)]
        token: Token,
    },
    /// Push this device's changes and pull everyone else's.
    Now {
        #[command(flatten)]
        token: Token,
    },
    /// Upload a snapshot of this workspace now (owners and managers), so a device that joins
    /// downloads a copy of the file and only the changes after it; the app makes one by itself
    /// once enough changes came after the newest.
    Snapshot {
        #[command(flatten)]
        token: Token,
    },
    /// Where sync stands: the server, the last sync, changes waiting, the last error.
    Status {},
    /// A one-time invite code for a new member (owners and managers).
    Invite {
        #[arg(long, value_enum, default_value = "agent")]
        role: InviteRole,
        /// The staff member the new member acts as.
        #[arg(long)]
        staff: Option<String>,
        #[arg(long)]
        email: Option<String>,
        #[command(flatten)]
        token: Token,
    },
    /// The members and their devices (owners and managers).
    Members {
        #[command(flatten)]
        token: Token,
    },
    /// Revoke a device or a member (all their devices): their token is refused at once.
    Revoke {
        id: String,
        #[command(flatten)]
        token: Token,
    },
    /// Sign this device out. Its unsent changes stay for this member unless --discard.
    SignOut {
        #[arg(long)]
        discard: bool,
        #[command(flatten)]
        token: Token,
    },
    /// Pause the app's background sync on this device (`--resume` to start it again).
    Pause {
        #[arg(long)]
        resume: bool,
    },
}

fn progress(p: SyncProgress) {
    if !json() {
        let total = p.total.map(|t| format!(" of {t}")).unwrap_or_default();
        let _ = say(&format!("{}: {}{total}", p.phase, p.done), true);
    }
}

fn report_text(r: &tend::sync::SyncReport) -> String {
    let mut lines = vec![format!("pushed {}, pulled {}, at {}", r.pushed, r.pulled, r.cursor)];
    if let Some(at) = r.snapshot {
        lines.push(format!("snapshot at {at}"));
    }
    if r.resynced {
        lines.push("the server's log was not the one this device knew: everything was sent and fetched again".into());
    }
    for x in &r.rejected {
        lines.push(format!("refused by the server and taken back: {} ({})", x.hlc, x.message));
    }
    lines.join("\n")
}

pub(super) async fn run(ws: &mut Workspace, command: SyncCommand) -> Result<(), Error> {
    match command {
        SyncCommand::Share { server, invite, token } => {
            let r = ws.sync_share(&server, &invite, &token.store(), &progress).await?;
            print(&r, || report_text(&r))?;
        }
        SyncCommand::Join { server, invite, token } => {
            let r = ws.sync_join(&server, &invite, &token.store(), &progress, None).await?;
            print(&r, || report_text(&r))?;
        }
        SyncCommand::Now { token } => {
            let r = ws.sync_now(&token.store()).await?;
            print(&r, || report_text(&r))?;
        }
        SyncCommand::Snapshot { token } => {
            let m = ws.sync_snapshot(&token.store(), &progress).await?;
            print(&m, || {
                format!("snapshot at {}: {} bytes of workspace, {} sent in {} chunks", m.seq, m.size, m.bytes, m.chunks)
            })?;
        }
        SyncCommand::Status {} => {
            let s = ws.sync_status().await?;
            print(&s, || match &s.link {
                None => "not shared".to_string(),
                Some(l) => {
                    let last = s
                        .last_sync_ms
                        .and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok())
                        .map(|t| t.to_string())
                        .unwrap_or_else(|| "never".into());
                    let mut lines = vec![
                        format!("{} ({}) on {}, as {}", l.workspace_name, l.workspace_id, l.server, l.role.as_str()),
                        format!("last sync {last}; {} changes waiting; at {}", s.waiting, s.cursor),
                    ];
                    if s.paused {
                        lines.push("paused".into());
                    }
                    if let Some(e) = &s.last_error {
                        lines.push(format!("last error: {}", e.message));
                    }
                    lines.join("\n")
                }
            })?;
        }
        SyncCommand::Invite { role, staff, email, token } => {
            let role = match role {
                InviteRole::Agent => Role::Agent,
                InviteRole::Manager => Role::Manager,
                InviteRole::Owner => Role::Owner,
            };
            let a = ws.sync_invite(&token.store(), role, staff.as_deref(), email.as_deref()).await?;
            print(&a, || a.invite.clone())?;
        }
        SyncCommand::Members { token } => {
            let m = ws.sync_members(&token.store()).await?;
            print(&m, || {
                let mut lines = Vec::new();
                for x in &m.members {
                    lines.push(format!(
                        "{}  {}  {}{}",
                        x.member_id,
                        x.role.as_str(),
                        x.email.as_deref().unwrap_or("-"),
                        if x.revoked { "  (revoked)" } else { "" }
                    ));
                    for d in &x.devices {
                        lines.push(format!(
                            "    {}  {}{}",
                            d.device_id,
                            d.name,
                            if d.revoked { "  (revoked)" } else { "" }
                        ));
                    }
                }
                lines.join("\n")
            })?;
        }
        SyncCommand::Revoke { id, token } => {
            let a = ws.sync_revoke(&token.store(), &id).await?;
            print(&a, || format!("revoked {} device(s)", a.devices))?;
        }
        SyncCommand::SignOut { discard, token } => {
            let dropped = ws.sync_sign_out(&token.store(), discard).await?;
            let v = serde_json::json!({ "signed_out": true, "discarded": dropped });
            print(&v, || format!("signed out; {dropped} unsent change(s) discarded"))?;
        }
        SyncCommand::Pause { resume } => {
            ws.sync_pause(!resume).await?;
            let v = serde_json::json!({ "paused": !resume });
            print(&v, || if resume { "sync resumed".into() } else { "sync paused".into() })?;
        }
    }
    Ok(())
}
