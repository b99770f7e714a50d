//! `tend deal`: the pre-sale pipeline.

use super::*;

#[derive(Subcommand)]
pub(super) enum DealCommand {
    /// Open a deal with a customer; prints it with its id.
    Add {
        #[arg(long)]
        customer: String,
        #[arg(long)]
        title: String,
        /// A deal stage id (new, contacted, consulting, proposal, negotiation, won, lost, or one
        /// added in Settings); default the first open stage.
        #[arg(long)]
        stage: Option<String>,
        /// Expected revenue in minor units of the currency (VND has none).
        #[arg(long)]
        amount: Option<i64>,
        #[arg(long)]
        currency: Option<String>,
        /// Expected close date as typed in the app: 15/03/2027, 2027-03-15...
        #[arg(long)]
        close: Option<String>,
        /// A staff id; default the customer's owner, else the current user.
        #[arg(long)]
        owner: Option<String>,
    },
    /// Move a deal to a stage.
    Stage {
        id: String,
        stage: String,
        /// Why it was lost (kept for a lost stage).
        #[arg(long)]
        reason: Option<String>,
    },
    /// Record the purchase a won deal brought (its amount, or --amount).
    Purchase {
        id: String,
        #[arg(long)]
        amount: Option<i64>,
    },
    /// The pipeline: each stage's count and totals, and its deals.
    List {
        #[arg(long)]
        owner: Option<String>,
        /// Expected (or actual) close on or after this date, YYYY-MM-DD.
        #[arg(long)]
        from: Option<String>,
        /// Expected (or actual) close on or before this date, YYYY-MM-DD.
        #[arg(long)]
        to: Option<String>,
    },
    /// Move a deal to the trash (its history stays; `deal restore` brings it back).
    Delete { id: String },
    /// Bring a deal back from the trash.
    Restore { id: String },
    /// The deals in the trash, newest first.
    Trash {},
    /// The deal stages in order.
    Stages {},
}

pub(super) async fn run(ws: &Workspace, command: DealCommand) -> Result<(), Error> {
    use tend::deals::{DealFilter, DealInput};
    let deal_text = |d: &tend::deals::Deal| {
        let amount = d.amount.map(|a| format!("  {a} {}", d.currency.as_deref().unwrap_or(""))).unwrap_or_default();
        format!("{}  [{}]  {}  ({}){amount}", d.id, d.stage_id, d.title, d.customer_name)
    };
    match command {
        DealCommand::Add { customer, title, stage, amount, currency, close, owner } => {
            let input = DealInput {
                title,
                stage_id: stage,
                amount,
                currency,
                expected_close: close,
                owner_id: owner,
                lost_reason: None,
            };
            let d = ws.create_deal(&customer, &input).await?;
            print(&d, || deal_text(&d))
        }
        DealCommand::Stage { id, stage, reason } => {
            let d = ws.move_deal(&id, &stage, reason.as_deref()).await?;
            print(&d, || deal_text(&d))
        }
        DealCommand::Purchase { id, amount } => {
            let d = ws.record_deal_purchase(&id, amount).await?;
            print(&d, || format!("{}  purchase {}", deal_text(&d), d.purchase_id.as_deref().unwrap_or("")))
        }
        DealCommand::List { owner, from, to } => {
            let p = ws.pipeline(&DealFilter { owner_id: owner, from, to }).await?;
            print(&p, || {
                let mut out = Vec::new();
                for (stage, col) in p.stages.iter().zip(&p.columns) {
                    let totals: Vec<String> =
                        col.totals.iter().map(|t| format!("{} {}", t.amount, t.currency)).collect();
                    out.push(format!("{} ({}, {})", stage.id, col.count, totals.join(" + ")));
                    for d in p.deals.iter().filter(|d| d.stage_id == stage.id) {
                        out.push(format!("  {}", deal_text(d)));
                    }
                }
                out.join("\n")
            })
        }
        DealCommand::Delete { id } => {
            ws.delete_deal(&id).await?;
            print(&serde_json::json!({ "deleted": id }), || format!("deal {id} moved to the trash"))
        }
        DealCommand::Restore { id } => {
            let d = ws.restore_deal(&id).await?;
            print(&d, || deal_text(&d))
        }
        DealCommand::Trash {} => {
            let deals = ws.trashed_deals().await?;
            print(&deals, || deals.iter().map(deal_text).collect::<Vec<_>>().join("\n"))
        }
        DealCommand::Stages {} => {
            let stages = ws.deal_stages().await?;
            print(&stages, || {
                stages
                    .iter()
                    .map(|s| {
                        format!(
                            "{}  {}  {}%  {}",
                            s.id,
                            s.name.as_deref().unwrap_or(&s.id),
                            s.probability,
                            s.kind.as_str()
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        }
    }
}
