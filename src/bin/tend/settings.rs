//! `tend settings` and `tend staff`: the workspace's settings and who works in it.

use super::*;

#[derive(Subcommand)]
pub(super) enum SettingsCommand {
    /// Set one setting: time_zone (an IANA zone such as Asia/Ho_Chi_Minh), language (vi, en),
    /// quiet_interval_days (0 to 90: a contact within it asks for confirmation; 0 never asks),
    /// current_staff (who uses Tend on this device: a staff id, empty for nobody) or quiet_hours
    /// (the current user's, 21:00-07:30; empty for none).
    Set { key: String, value: String },
    /// The workspace's settings.
    Show {},
}

#[derive(Subcommand)]
pub(super) enum StaffCommand {
    /// Add a staff member; prints it with its id
    Add {
        #[arg(long)]
        name: String,
        #[arg(long)]
        email: Option<String>,
        #[arg(long, value_parser = ["owner", "manager", "agent"], default_value = "agent")]
        role: String,
    },
    /// The workspace's staff
    List {},
}

pub(super) async fn run(ws: &Workspace, command: SettingsCommand) -> Result<(), Error> {
    match command {
        SettingsCommand::Set { key, value } => {
            match key.as_str() {
                "time_zone" => ws.set_time_zone(&value).await?,
                "language" => ws.set_language(&value).await?,
                "current_staff" => {
                    let id = value.trim();
                    if !id.is_empty() && !ws.staff().await?.iter().any(|s| s.id == id) {
                        return Err(Error::Validation(vec![tend::FieldError::new(
                            "current_staff",
                            "validation.unknown_staff",
                        )
                        .with("value", id)]));
                    }
                    ws.set_current_staff((!id.is_empty()).then_some(id)).await?
                }
                "quiet_hours" => ws.set_quiet_hours(&value).await?,
                "quiet_interval_days" => {
                    let days = value.trim().parse::<i64>().map_err(|_| {
                        Error::Validation(vec![tend::FieldError::new(
                            "quiet_interval_days",
                            "validation.number_invalid",
                        )
                        .with("value", &value)])
                    })?;
                    ws.set_quiet_interval_days(days).await?
                }
                _ => {
                    return Err(Error::Validation(vec![
                        tend::FieldError::new("key", "settings.unknown_key").with("value", &key)
                    ]))
                }
            }
            let value = serde_json::json!({ key.clone(): value });
            print(&value, || format!("{key} set"))?;
        }
        SettingsCommand::Show {} => {
            let info = ws.info().await?;
            let quiet = ws.quiet_interval_days().await?;
            let value = serde_json::json!({ "time_zone": info.time_zone, "language": info.language, "quiet_interval_days": quiet, "current_staff": info.current_staff_id });
            print(&value, || {
                format!(
                    "time_zone = {}\nlanguage = {}\nquiet_interval_days = {quiet}\ncurrent_staff = {}",
                    info.time_zone,
                    info.language.as_deref().unwrap_or("(the system's)"),
                    info.current_staff_id.as_deref().unwrap_or("(none chosen on this device)")
                )
            })?;
        }
    }
    Ok(())
}

pub(super) async fn staff(ws: &Workspace, command: StaffCommand) -> Result<(), Error> {
    match command {
        StaffCommand::Add { name, email, role } => {
            use tend::staff::{Role, StaffInput};
            let role = match role.as_str() {
                "owner" => Role::Owner,
                "manager" => Role::Manager,
                _ => Role::Agent,
            };
            let s = ws.add_staff(&StaffInput { name, email, role }).await?;
            print(&s, || format!("{}  {}", s.id, s.name))?;
        }
        StaffCommand::List {} => {
            let all = ws.staff().await?;
            print(&all, || all.iter().map(|s| format!("{}  {}", s.id, s.name)).collect::<Vec<_>>().join("\n"))?;
        }
    }
    Ok(())
}
