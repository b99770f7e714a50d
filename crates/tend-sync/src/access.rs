//! Who may write what in a shared workspace: the rule the server applies to every pushed
//! transaction and the app applies before it writes, so both refuse the same changes.
//!
//! - A transaction is written in its member's own name: its actor is the member's staff row and
//!   its device the pushing device. The one exception is the history a workspace had before it
//!   was shared: the owner's first upload carries it as it was (any actor, any device), up to the
//!   clock the sharing device named when it joined.
//! - Agents change no workspace setting (a table the registry marks `settings`: staff and roles,
//!   stages, custom fields, teams and their calendars, SLAs, rules, care plans) and purge
//!   nothing. Owners and managers may.

use crate::protocol::{RecordOp, RemoteTx};
use serde::{Deserialize, Serialize};

/// A member's role in a shared workspace (the staff table's roles).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
// named MemberRole in the app's bindings (the staff table's Role is another type there)
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename = "MemberRole", rename_all = "snake_case")]
pub enum Role {
    Owner,
    Manager,
    Agent,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Manager => "manager",
            Role::Agent => "agent",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "owner" => Some(Role::Owner),
            "manager" => Some(Role::Manager),
            "agent" => Some(Role::Agent),
            _ => None,
        }
    }

    /// Whether this role may change workspace settings, purge, invite and revoke.
    pub fn manages(self) -> bool {
        matches!(self, Role::Owner | Role::Manager)
    }
}

/// Who is pushing: the token's member and device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Writer<'a> {
    pub role: Role,
    /// The member's staff row (None: the member acts in no staff row's name).
    pub staff_id: Option<&'a str>,
    pub device: &'a str,
    /// The clock up to which this device uploads the workspace's history as it was (the owner's
    /// device that shared the workspace); None for every other device.
    pub history_until: Option<&'a str>,
}

/// Why a transaction is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Refusal {
    /// Written under another device's name.
    OtherDevice { device: String },
    /// Written in another person's name.
    OtherActor { actor: Option<String> },
    /// An agent changing a workspace setting (the table named).
    Settings { table: String },
    /// An agent purging a row (of the table named).
    Purge { table: String },
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::OtherDevice { device } => write!(f, "written under another device's name ({device})"),
            Refusal::OtherActor { actor } => {
                write!(f, "written in another person's name ({})", actor.as_deref().unwrap_or("nobody"))
            }
            Refusal::Settings { table } => write!(f, "only owners and managers change workspace settings ({table})"),
            Refusal::Purge { table } => write!(f, "only owners and managers delete for good ({table})"),
        }
    }
}

/// Whether `writer` may write `tx`; the first reason it may not.
pub fn check(writer: &Writer<'_>, tx: &RemoteTx) -> Result<(), Refusal> {
    let history = writer.history_until.is_some_and(|until| tx.hlc.as_str() <= until);
    if !history {
        if tx.device != writer.device {
            return Err(Refusal::OtherDevice { device: tx.device.clone() });
        }
        if tx.actor.as_deref() != writer.staff_id {
            return Err(Refusal::OtherActor { actor: tx.actor.clone() });
        }
    }
    if writer.role.manages() {
        return Ok(());
    }
    for r in &tx.records {
        if crate::registry::by_name(&r.table).is_some_and(|t| t.settings) {
            return Err(Refusal::Settings { table: r.table.clone() });
        }
        if matches!(r.op, RecordOp::Purge) {
            return Err(Refusal::Purge { table: r.table.clone() });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{FieldValue, RemoteRecord};

    fn tx(hlc: &str, actor: Option<&str>, device: &str, records: Vec<RemoteRecord>) -> RemoteTx {
        RemoteTx { hlc: hlc.into(), at_ms: 0, actor: actor.map(Into::into), device: device.into(), records, part: None }
    }

    fn set(table: &str) -> RemoteRecord {
        RemoteRecord {
            table: table.into(),
            row_id: "r1".into(),
            op: RecordOp::Set { column: "name".into(), value: FieldValue::Text("x".into()) },
        }
    }

    #[test]
    fn members_write_in_their_own_name_and_agents_leave_settings_alone() {
        let agent = Writer { role: Role::Agent, staff_id: Some("s1"), device: "d1", history_until: None };
        let own = tx("0000000000010:00000:d1", Some("s1"), "d1", vec![set("customers")]);
        assert_eq!(check(&agent, &own), Ok(()));
        let other = tx("0000000000010:00000:d1", Some("s2"), "d1", vec![set("customers")]);
        assert_eq!(check(&agent, &other), Err(Refusal::OtherActor { actor: Some("s2".into()) }));
        let nobody = tx("0000000000010:00000:d1", None, "d1", vec![set("customers")]);
        assert!(matches!(check(&agent, &nobody), Err(Refusal::OtherActor { actor: None })));
        let elsewhere = tx("0000000000010:00000:d9", Some("s1"), "d9", vec![set("customers")]);
        assert_eq!(check(&agent, &elsewhere), Err(Refusal::OtherDevice { device: "d9".into() }));
        let staff = tx("0000000000010:00000:d1", Some("s1"), "d1", vec![set("customers"), set("staff")]);
        assert_eq!(check(&agent, &staff), Err(Refusal::Settings { table: "staff".into() }));
        let purge = tx(
            "0000000000010:00000:d1",
            Some("s1"),
            "d1",
            vec![RemoteRecord { table: "customers".into(), row_id: "c".into(), op: RecordOp::Purge }],
        );
        assert_eq!(check(&agent, &purge), Err(Refusal::Purge { table: "customers".into() }));
        let manager = Writer { role: Role::Manager, ..agent.clone() };
        assert_eq!(check(&manager, &staff), Ok(()));
        assert_eq!(check(&manager, &purge), Ok(()));
        assert!(check(&manager, &other).is_err(), "a manager writes in no one else's name either");
    }

    #[test]
    fn the_history_before_sharing_goes_up_as_it_was_and_nothing_after_it() {
        let owner = Writer {
            role: Role::Owner,
            staff_id: Some("s1"),
            device: "d1",
            history_until: Some("0000000000020:00000:d1"),
        };
        let old = tx("0000000000015:00003:d7", Some("s5"), "d7", vec![set("staff")]);
        assert_eq!(check(&owner, &old), Ok(()));
        let later = tx("0000000000021:00000:d7", Some("s5"), "d7", vec![set("staff")]);
        assert!(check(&owner, &later).is_err());
        let agent_history = Writer { role: Role::Agent, ..owner };
        assert_eq!(check(&agent_history, &old), Err(Refusal::Settings { table: "staff".into() }));
    }
}
