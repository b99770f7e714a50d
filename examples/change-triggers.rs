//! Prints the change log's SQL for a migration, from the table registry
//! (`crates/tend-sync/src/registry.rs`): `cargo run --example change-triggers -- TABLE...` gives
//! the dictionary rows and the three triggers of each table new to the log; `--columns TABLE...`
//! the DROP and CREATE of the triggers and the new dictionary rows of tables that gained a
//! tracked column; `--all` the DROP and CREATE of every table's triggers and of the trigger that
//! keeps a customer's `updated_at` (a change of the triggers' form). Migrations only go forward:
//! the output goes into a new migration file.

use tend::changelog::triggers::{column_rows, for_new_table, touch_customer, trigger};
use tend_sync::registry;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().is_some_and(|a| a == "--all") {
        for t in registry::TABLES {
            for event in ["INSERT", "UPDATE", "DELETE"] {
                println!("DROP TRIGGER {}_changes_{};\n{};\n", t.name, event.to_lowercase(), trigger(t, event));
            }
        }
        println!("DROP TRIGGER IF EXISTS changes_touch_customer;\n{};", touch_customer());
        return;
    }
    let columns = args.first().is_some_and(|a| a == "--columns");
    let names = if columns { &args[1..] } else { &args[..] };
    if names.is_empty() {
        eprintln!("usage: change-triggers [--columns] TABLE... | --all");
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
