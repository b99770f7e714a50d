//! `tend customer`: add, edit, set, show and bulk actions.

use super::*;

#[derive(Subcommand)]
pub(super) enum CustomerCommand {
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
    },
    /// Change some fields of a customer; the others keep what is stored. An empty value clears a
    /// field; `--phone`/`--email` replace every phone/email. A field someone else changes between
    /// reading and saving is not overwritten: nothing is saved and the conflict is reported.
    Edit {
        id: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        phone: Vec<String>,
        #[arg(long)]
        email: Vec<String>,
        #[arg(long)]
        tax_code: Option<String>,
        #[arg(long)]
        street: Option<String>,
        #[arg(long)]
        ward: Option<String>,
        #[arg(long)]
        district: Option<String>,
        #[arg(long)]
        province: Option<String>,
        /// A date as typed in the app: 15/03/1985, 1985-03-15, 15031985...
        #[arg(long)]
        birthday: Option<String>,
        #[arg(long)]
        notes: Option<String>,
        /// The customer's code in another system.
        #[arg(long)]
        external_id: Option<String>,
    },
    /// Set fields of a customer by name, validated like the form: `name=…`, `province=Hà Nội`,
    /// `phones=0912…,0987…`, `tags=VIP,Sỉ`, `custom.<key>=…`; an empty value clears a field.
    Set {
        id: String,
        /// FIELD=VALUE, one or more
        #[arg(required = true, value_name = "FIELD=VALUE")]
        fields: Vec<String>,
    },
    /// Show one customer.
    Show { id: String },
    /// Do one thing to many customers at once: those given by `--id`, those a filter selects, or
    /// `--all`. Tags, owner and stage change in one transaction (all or nothing); at most 50,000.
    Bulk {
        /// A customer id (repeat for several).
        #[arg(long = "id", value_name = "ID")]
        ids: Vec<String>,
        #[command(flatten)]
        which: Which,
        /// Every live customer.
        #[arg(long)]
        all: bool,
        #[command(flatten)]
        what: BulkWhat,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub(super) enum Kind {
    Person,
    Company,
}

pub(super) fn customer_text(c: &tend::customers::Customer) -> String {
    let phones: Vec<&str> = c.phones.iter().map(|p| p.number.as_str()).collect();
    let emails: Vec<&str> = c.emails.iter().map(|e| e.address.as_str()).collect();
    format!("{}  {}\n  phones: {}\n  emails: {}", c.id, c.name, phones.join(", "), emails.join(", "))
}

pub(super) async fn run(ws: &Workspace, command: CustomerCommand) -> Result<(), Error> {
    match command {
        CustomerCommand::Add { name, kind, phone, email, tax_code, company } => {
            let input = CustomerInput {
                kind: match kind {
                    Kind::Person => CustomerKind::Person,
                    Kind::Company => CustomerKind::Company,
                },
                name,
                phones: phone.into_iter().map(|number| Phone { label: String::new(), number }).collect(), // labelled by its type
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
            print(&value, || {
                let mut s = format!("{} {}", created.customer.id, created.customer.name);
                for d in &created.duplicates {
                    s.push_str(&format!("\nwarning: same {} {} as {} {}", d.reason, d.value, d.id, d.name));
                }
                s
            })?;
        }
        CustomerCommand::Edit {
            id,
            name,
            phone,
            email,
            tax_code,
            street,
            ward,
            district,
            province,
            birthday,
            notes,
            external_id,
        } => {
            let base = ws.customer(&id).await?.to_input();
            let mut input = base.clone();
            if let Some(n) = name {
                input.name = n;
            }
            if !phone.is_empty() {
                input.phones = phone
                    .into_iter()
                    .filter(|p| !p.trim().is_empty())
                    .map(|number| Phone { label: "mobile".into(), number })
                    .collect();
            }
            if !email.is_empty() {
                input.emails = email
                    .into_iter()
                    .filter(|e| !e.trim().is_empty())
                    .map(|address| Email { label: String::new(), address })
                    .collect();
            }
            for (given, field) in [
                (tax_code, &mut input.tax_code),
                (street, &mut input.street),
                (ward, &mut input.ward),
                (district, &mut input.district),
                (province, &mut input.province),
                (birthday, &mut input.birthday),
                (notes, &mut input.notes),
                (external_id, &mut input.external_id),
            ] {
                if let Some(v) = given {
                    *field = Some(v).filter(|v| !v.trim().is_empty());
                }
            }
            let c = ws.update_customer(&id, &base, &input).await?;
            print(&c, || customer_text(&c))?;
        }
        CustomerCommand::Set { id, fields } => {
            let base = ws.customer(&id).await?.to_input();
            let mut input = base.clone();
            let mut errors = Vec::new();
            for arg in &fields {
                let result = match arg.split_once('=') {
                    Some((field, value)) => input.set(field.trim(), value),
                    None => Err(tend::FieldError::new(arg.as_str(), "validation.field_value_expected")
                        .with("value", arg.as_str())),
                };
                errors.extend(result.err());
            }
            if !errors.is_empty() {
                return Err(Error::Validation(errors));
            }
            let c = ws.update_customer(&id, &base, &input).await?;
            print(&c, || customer_text(&c))?;
        }
        CustomerCommand::Show { id } => {
            let c = ws.customer(&id).await?;
            print(&c, || customer_text(&c))?;
        }
        CustomerCommand::Bulk { ids, which, all, what } => {
            use tend::customers::bulk::BulkTarget;
            let target = match (ids.is_empty(), which.is_empty(), all) {
                (false, true, false) => BulkTarget::Ids { ids },
                (true, false, false) | (true, true, true) => BulkTarget::Filter { filter: which.filter() },
                _ => {
                    return Err(Error::Validation(vec![tend::FieldError::new("customers", "bulk.which")]));
                }
            };
            let r = ws.bulk_customers(&target, &what.action()).await?;
            print(&r, || {
                let mut out = format!("{} of {} customers changed", r.changed, r.matched);
                if r.tasks > 0 {
                    out.push_str(&format!(", {} care tasks made", r.tasks));
                }
                for n in &r.not_enrolled {
                    out.push_str(&format!("\nnot enrolled: {} ({})", n.customer_name, n.reason));
                }
                out
            })?;
        }
    }
    Ok(())
}
