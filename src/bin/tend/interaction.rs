//! `tend interaction`: a call, message, meeting or purchase on a customer's timeline.

use super::*;

#[derive(Clone, Copy, ValueEnum)]
pub(super) enum IKind {
    Call,
    Email,
    Meeting,
    Chat,
    Note,
    Purchase,
}

#[derive(Clone, Copy, ValueEnum)]
pub(super) enum IDirection {
    Inbound,
    Outbound,
    Internal,
}

#[derive(Subcommand)]
pub(super) enum InteractionCommand {
    /// Log an interaction; prints it with its id.
    Add {
        #[arg(long)]
        customer: String,
        #[arg(long, value_enum)]
        kind: IKind,
        /// What happened (default: the kind's name).
        #[arg(long)]
        summary: Option<String>,
        /// Default outbound for calls, emails, meetings and chats; inbound for purchases.
        #[arg(long, value_enum)]
        direction: Option<IDirection>,
        /// For a purchase: the total in minor units of the currency.
        #[arg(long)]
        amount: Option<i64>,
        #[arg(long)]
        currency: Option<String>,
        /// When it happened, RFC 3339 (2026-12-04T09:30:00+07:00); default now.
        #[arg(long)]
        at: Option<String>,
        /// Log it even when asked to confirm: a contact with a customer contacted within the
        /// quiet interval, or one dated more than a day ahead.
        #[arg(long, visible_alias = "confirm")]
        confirm_recent: bool,
    },
}

pub(super) async fn run(ws: &Workspace, command: InteractionCommand) -> Result<(), Error> {
    match command {
        InteractionCommand::Add { customer, kind, summary, direction, amount, currency, at, confirm_recent } => {
            use tend::interactions::{Direction, InteractionChannel, InteractionInput, InteractionKind};
            let kind = match kind {
                IKind::Call => InteractionKind::Call,
                IKind::Email => InteractionKind::Email,
                IKind::Meeting => InteractionKind::Meeting,
                IKind::Chat => InteractionKind::Chat,
                IKind::Note => InteractionKind::Note,
                IKind::Purchase => InteractionKind::Purchase,
            };
            let direction = match direction {
                Some(IDirection::Inbound) => Direction::Inbound,
                Some(IDirection::Outbound) => Direction::Outbound,
                Some(IDirection::Internal) => Direction::Internal,
                None => match kind {
                    InteractionKind::Note => Direction::Internal,
                    InteractionKind::Purchase => Direction::Inbound,
                    _ => Direction::Outbound,
                },
            };
            let channel = match kind {
                InteractionKind::Call => InteractionChannel::Phone,
                InteractionKind::Email => InteractionChannel::Email,
                InteractionKind::Meeting => InteractionChannel::InPerson,
                _ => InteractionChannel::Other,
            };
            let occurred_at = match at {
                None => None,
                Some(t) => Some(
                    t.trim()
                        .parse::<jiff::Timestamp>()
                        .map_err(|_| {
                            Error::Validation(vec![
                                tend::FieldError::new("at", "validation.date_invalid").with("value", &t)
                            ])
                        })?
                        .as_millisecond(),
                ),
            };
            let input = InteractionInput {
                kind,
                channel,
                direction,
                staff_id: None,
                occurred_at,
                summary: summary.unwrap_or_else(|| kind.as_str().to_string()),
                body: None,
                amount,
                currency,
                items: vec![],
            };
            let i = ws.log_interaction(&customer, &input, confirm_recent).await?;
            print(&i, || format!("{}  {}  {}", i.id, i.kind.as_str(), i.summary))?;
        }
    }
    Ok(())
}
