//! Prints the change log's SQL for a migration, from the table registry
//! (`crates/tend-sync/src/registry.rs`): `cargo run --example change-triggers -- TABLE...` gives
//! the dictionary rows and the three triggers of each table new to the log; `--columns TABLE...`
//! the DROP and CREATE of the triggers and the new dictionary rows of tables that gained a
//! tracked column. Migrations only go forward: the output goes into a new migration file.

use tend::changelog::triggers::{column_rows, for_new_table, trigger};
use tend_sync::registry;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let columns = args.first().is_some_and(|a| a == "--columns");
    let names = if columns { &args[1..] } else { &args[..] };
    if names.is_empty() {
        eprintln!("usage: change-triggers [--columns] TABLE...");
        std::process::exit(2);
    }
    for name in names {
        let Some(t) = registry::by_name(name) else {
            eprintln!("{name} is not in the table registry");
            std::process::exit(2);
        };
        if columns {
            println!("INSERT OR IGNORE INTO change_columns (tbl, code, name) VALUES\n    {};\n", column_rows(t));
            for event in ["INSERT", "UPDATE", "DELETE"] {
                println!("DROP TRIGGER {}_changes_{};\n{};\n", t.name, event.to_lowercase(), trigger(t, event));
            }
        } else {
            println!("{}", for_new_table(t));
        }
    }
}
