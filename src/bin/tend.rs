//! `tend`: the command line over the same core as the desktop app.
//! `--json` prints machine-readable output; invalid input exits with code 2 and changes nothing.

use clap::{Parser, Subcommand, ValueEnum};
use serde::Serialize;
use std::path::PathBuf;
use std::process::ExitCode;
use tend::customers::{CustomerInput, CustomerKind, Email, Phone};
use tend::{Error, ErrorPayload, Workspace};

#[derive(Parser)]
#[command(name = "tend", version, about = "Tend: local-first CRM and helpdesk")]
struct Cli {
    /// Workspace file (default: the desktop app's workspace, or $TEND_DB).
    #[arg(long, global = true)]
    db: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate a realistic Vietnamese demo workspace (deterministic for a seed).
    Demo {
        #[arg(long, default_value_t = 1000)]
        customers: u64,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        #[arg(long)]
        json: bool,
    },
    /// Customers.
    Customer {
        #[command(subcommand)]
        command: CustomerCommand,
    },
    /// Every change of a record: who, when, which field, from what to what.
    History {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Search customers by name, contact, phone (any form or fragment), email, tax code, notes.
    Search {
        query: String,
        #[arg(long, default_value_t = 20)]
        limit: u32,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Kind {
    Person,
    Company,
}

#[derive(Subcommand)]
enum CustomerCommand {
    /// Add a customer; prints the new record with its id.
    Add {
        #[arg(long)]
        name: String,
        #[arg(long, value_enum, default_value_t = Kind::Person)]
        kind: Kind,
        #[arg(long)]
        phone: Vec<String>,
        #[arg(long)]
        email: Vec<String>,
        #[arg(long)]
        tax_code: Option<String>,
        /// For a person: the company they work at (found by name or created); they become its contact.
        #[arg(long)]
        company: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Show one customer.
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
}

fn print<T: Serialize>(json: bool, value: &T, text: impl FnOnce() -> String) -> Result<(), Error> {
    if json {
        println!("{}", serde_json::to_string_pretty(value)?);
    } else {
        println!("{}", text());
    }
    Ok(())
}

fn wants_json(c: &Command) -> bool {
    match c {
        Command::Demo { json, .. } | Command::History { json, .. } | Command::Search { json, .. } => *json,
        Command::Customer { command: CustomerCommand::Add { json, .. } | CustomerCommand::Show { json, .. } } => *json,
    }
}

async fn run(cli: Cli) -> Result<(), Error> {
    let path = cli.db.clone().unwrap_or_else(tend::default_workspace_path);
    let ws = Workspace::open(&path).await?;
    match cli.command {
        Command::Demo { customers, seed, json } => {
            let started = std::time::Instant::now();
            let s = ws.generate_demo(customers, seed).await?;
            let secs = started.elapsed().as_secs_f64();
            print(json, &s, || {
                format!(
                    "{} customers ({} companies, {} contacts), {} interactions, {} staff in {:.1} s -> {}",
                    s.customers,
                    s.companies,
                    s.contacts,
                    s.interactions,
                    s.staff,
                    secs,
                    path.display()
                )
            })?;
        }
        Command::Customer { command: CustomerCommand::Add { name, kind, phone, email, tax_code, company, json } } => {
            let input = CustomerInput {
                kind: match kind {
                    Kind::Person => CustomerKind::Person,
                    Kind::Company => CustomerKind::Company,
                },
                name,
                phones: phone.into_iter().map(|number| Phone { label: "mobile".into(), number }).collect(),
                emails: email.into_iter().map(|address| Email { label: String::new(), address }).collect(),
                tax_code,
                ..Default::default()
            };
            let (created, company_id) = match company {
                Some(c) if input.kind == CustomerKind::Person => {
                    let (created, cid) = ws.create_person_at_company(&input, &c).await?;
                    (created, Some(cid))
                }
                Some(_) => return Err(Error::invalid("company", "validation.company_for_person_only")),
                None => (ws.create_customer(&input).await?, None),
            };
            let mut value = serde_json::to_value(&created.customer)?;
            if let Some(obj) = value.as_object_mut() {
                obj.insert("duplicates".into(), serde_json::to_value(&created.duplicates)?);
                if let Some(cid) = &company_id {
                    obj.insert("company_id".into(), serde_json::Value::String(cid.clone()));
                }
            }
            print(json, &value, || {
                let mut s = format!("{} {}", created.customer.id, created.customer.name);
                for d in &created.duplicates {
                    s.push_str(&format!("\nwarning: same {} {} as {} {}", d.reason, d.value, d.id, d.name));
                }
                s
            })?;
        }
        Command::Customer { command: CustomerCommand::Show { id, json } } => {
            let c = ws.customer(&id).await?;
            print(json, &c, || {
                let phones: Vec<&str> = c.phones.iter().map(|p| p.number.as_str()).collect();
                let emails: Vec<&str> = c.emails.iter().map(|e| e.address.as_str()).collect();
                format!("{}  {}\n  phones: {}\n  emails: {}", c.id, c.name, phones.join(", "), emails.join(", "))
            })?;
        }
        Command::History { id, json } => {
            let h = ws.history(&id).await?;
            print(json, &h, || {
                h.iter()
                    .map(|e| {
                        let at = jiff::Timestamp::from_millisecond(e.at_ms).map(|t| t.to_string()).unwrap_or_default();
                        format!(
                            "{at}  {}  {}.{}: {} -> {}",
                            e.actor_name.as_deref().unwrap_or("-"),
                            e.change.table,
                            e.change.column,
                            e.change.previous.as_deref().unwrap_or("∅"),
                            e.change.value.as_deref().unwrap_or("∅")
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            })?;
        }
        Command::Search { query, limit, json } => {
            let hits = ws.search(&query, limit).await?;
            print(json, &hits, || {
                hits.iter()
                    .map(|h| format!("{}  {}  {}", h.id, h.name, h.phones.join(", ")))
                    .collect::<Vec<_>>()
                    .join("\n")
            })?;
        }
    }
    ws.close().await;
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let json = wants_json(&cli.command);
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("tend: cannot start: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let code = match e {
                Error::Validation(_) | Error::NotFound { .. } => 2,
                _ => 1,
            };
            if json {
                let payload = ErrorPayload::from(&e);
                println!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({ "error": payload })).unwrap_or_default()
                );
            }
            eprintln!("tend: {e}");
            ExitCode::from(code)
        }
    }
}
