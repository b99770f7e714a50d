//! The helpdesk: requests from every channel as tickets, worked by teams through their stages
//! under SLA deadlines in business time.
//! - `team.rs`: teams (members, stages, calendar, SLA policies, how tickets are assigned);
//! - `sla.rs`: which policy covers a ticket, its deadlines in the team's calendar, pauses, and
//!   each target's state (running, paused, met, breached);
//! - `ticket.rs`: tickets and their thread through the write path: create, customer messages,
//!   replies, notes, stage moves (checklists, solve, close, reopen), assignment, and reads;
//! - `attach.rs`: a thread's files (checked and kept by `files`), saved elsewhere, previewed;
//! - `demo.rs`: the demo's teams, canned responses, a rule and two weeks of tickets;
//! - `links.rs`: duplicates merged into the ticket that goes on (undoable) and related tickets;
//! - `rules.rs`: automatic rules run in order on a new ticket (set team, priority, assignee,
//!   tags; suggest a canned response), each at most once, what each did kept in the thread.

mod attach;
pub mod canned;
pub(crate) mod demo;
pub mod links;
pub(crate) mod remind;
pub mod rules;
pub mod sla;
pub mod survey;
pub mod team;
pub mod ticket;

pub use canned::{Canned, CannedInput};
pub use links::TicketRef;
pub use rules::{Rule, RuleFired, RuleInput, RuleThen, RuleWhen};
pub use sla::{SlaState, SlaTarget, Target};
pub use survey::{SurveyAnswer, SurveyAnswerInput, SurveyKind};
pub use team::{
    Ack, Assignment, Member, SlaInput, SlaMatch, SlaPolicy, Team, TeamInput, TicketStage, TicketStageInput,
};
pub use ticket::{
    CheckItem, MessageKind, NewTicket, Reply, Ticket, TicketDetail, TicketFilter, TicketMessage, TicketPage, TicketView,
};

use serde::{Deserialize, Serialize};
use specta::Type;

str_enum!(Priority { Low = "low", Normal = "normal", High = "high", Urgent = "urgent" });
str_enum!(Severity { Minor = "minor", Major = "major", Critical = "critical" });
str_enum!(TicketChannel {
    Phone = "phone",
    Email = "email",
    Website = "website",
    LiveChat = "live_chat",
    Facebook = "facebook",
    Zalo = "zalo",
    InPerson = "in_person",
    Other = "other",
});

impl crate::Workspace {
    /// The language of texts the workspace writes for people (default stage and team names):
    /// the device's setting, else Vietnamese.
    pub async fn lang(&self) -> crate::Result<crate::messages::Lang> {
        let code = crate::db::meta_get(self.pool(), "language").await?;
        Ok(crate::messages::Lang::from_code(code.as_deref().unwrap_or("vi")))
    }
}
