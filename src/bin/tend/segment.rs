//! `tend segment`: saved customer lists, by rules or by hand.

use super::*;

#[derive(Subcommand)]
pub(super) enum SegmentCommand {
    /// How many customers the rules in RULES (a JSON file, or - for standard input) match.
    Count {
        #[arg(long)]
        rules: PathBuf,
    },
    /// Save a segment: dynamic with --rules, or a static list with --static.
    Create {
        #[arg(long)]
        name: String,
        #[arg(long, conflicts_with = "static_list", required_unless_present_any = ["static_list", "preset"])]
        rules: Option<PathBuf>,
        /// A static list (members added with `segment add`).
        #[arg(long = "static")]
        static_list: bool,
        /// One of the ready-made segments (`segment presets`).
        #[arg(long, conflicts_with_all = ["rules", "static_list"])]
        preset: Option<String>,
    },
    /// The saved segments.
    List {},
    /// A segment's members, by name.
    Members {
        id: String,
        #[arg(long, default_value_t = 0)]
        offset: i64,
        #[arg(long, default_value_t = 100)]
        limit: i64,
    },
    /// Add customers to a static list.
    Add { id: String, customers: Vec<String> },
    /// Take customers off a static list.
    Remove { id: String, customers: Vec<String> },
    /// Remove a segment (its customers stay as they are).
    Delete { id: String },
    /// The ready-made segments and their rules.
    Presets {},
}

/// Reads a rules file (or standard input for `-`).
pub(super) fn read_rules(path: &std::path::Path) -> Result<String, Error> {
    read_text(path, "rules", "segment.rules_unreadable")
}

pub(super) fn page_text(page: &tend::search::CustomerPage) -> String {
    let mut lines: Vec<String> = page.rows.iter().map(|r| format!("{}  {}", r.id, r.name)).collect();
    if let Some(t) = page.total {
        lines.push(format!("({t} in all)"));
    }
    lines.join("\n")
}

pub(super) async fn run(ws: &Workspace, command: SegmentCommand) -> Result<(), Error> {
    use tend::segments::{SegmentInput, SegmentKind};
    match command {
        SegmentCommand::Count { rules } => {
            let n = ws.segment_count(&read_rules(&rules)?).await?;
            print(&serde_json::json!({ "count": n }), || n.to_string())
        }
        SegmentCommand::Create { name, rules, static_list, preset } => {
            let seg = match (preset, rules) {
                (Some(key), _) => ws.create_preset_segment(&key, &name).await?,
                (None, Some(rules)) => {
                    let input = SegmentInput { name, kind: SegmentKind::Dynamic, rules: Some(read_rules(&rules)?) };
                    ws.create_segment(&input).await?
                }
                (None, None) => {
                    debug_assert!(static_list);
                    ws.create_segment(&SegmentInput { name, kind: SegmentKind::Static, rules: None }).await?
                }
            };
            print(&seg, || format!("segment {} {} saved", seg.id, seg.name))
        }
        SegmentCommand::List {} => {
            // a segment whose rules cannot be read now is listed with its problem and no count
            let list = ws.segments().await?;
            let mut out = Vec::new();
            for s in &list {
                let rules = s.rules.as_deref().map(|r| {
                    serde_json::from_str::<serde_json::Value>(r).unwrap_or_else(|_| serde_json::Value::String(r.into()))
                });
                let count = match &s.problem {
                    Some(_) => None,
                    None => Some(ws.segment_size(&s.id).await?),
                };
                let problem = s.problem.as_ref().map(|p| tend::messages::field_text(lang(), p));
                out.push(serde_json::json!({ "id": s.id, "name": s.name, "kind": s.kind, "rules": rules, "count": count, "problem": problem }));
            }
            print(&out, || {
                out.iter()
                    .map(|s| {
                        let size = match s["problem"].as_str() {
                            Some(p) => format!("cannot be read: {p}"),
                            None => s["count"].to_string(),
                        };
                        format!(
                            "{}  {}  ({}, {size})",
                            s["id"].as_str().unwrap_or(""),
                            s["name"].as_str().unwrap_or(""),
                            s["kind"].as_str().unwrap_or(""),
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        }
        SegmentCommand::Members { id, offset, limit } => {
            let page = ws.segment_members(&id, offset, limit).await?;
            print(&page, || page_text(&page))
        }
        SegmentCommand::Add { id, customers } => {
            let n = ws.add_to_segment(&id, &customers).await?;
            print(&serde_json::json!({ "added": n }), || format!("{n} added"))
        }
        SegmentCommand::Remove { id, customers } => {
            let n = ws.remove_from_segment(&id, &customers).await?;
            print(&serde_json::json!({ "removed": n }), || format!("{n} removed"))
        }
        SegmentCommand::Delete { id } => {
            ws.remove_segment(&id).await?;
            print(&serde_json::json!({ "deleted": id }), || format!("segment {id} removed"))
        }
        SegmentCommand::Presets {} => {
            let list = tend::segments::presets(ws.today().await?);
            print(&list, || list.iter().map(|p| format!("{}  {}", p.key, p.rules)).collect::<Vec<_>>().join("\n"))
        }
    }
}
