//! The change triggers, generated from the table registry (`tend_sync::registry`): what the
//! migrations hold for every tracked table (a test compares the schema's triggers with this), and
//! what a migration that adds a table or a column writes.
//!
//! An INSERT is one record (col 0) whose value is a JSONB array of every tracked column in code
//! order; an UPDATE one record per changed column (col = its code); a DELETE one record (col -1).
//! `entity` is the customer a row belongs to in history, when it is not the row itself. A write
//! outside a change context aborts. While another device's transaction is applied
//! (`write_ctx.replay`), its records are stored as they came and the rows are made from them, so
//! the triggers record nothing.

use tend_sync::registry::Table;

const GUARD: &str =
    "    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);\n";

/// The row id expression of `table` for row `r` (`NEW` or `OLD`).
fn row_id(table: &Table, r: &str) -> String {
    table.keys.iter().map(|k| format!("{r}.{k}")).collect::<Vec<_>>().join(" || '/' || ")
}

/// One trigger's `CREATE TRIGGER` statement (without its closing semicolon), `event` being
/// `INSERT`, `UPDATE` or `DELETE`.
pub fn trigger(table: &Table, event: &str) -> String {
    let r = if event == "DELETE" { "OLD" } else { "NEW" };
    let row = row_id(table, r);
    let entity = match (table.name, table.customer) {
        // the settings are one record in history
        ("settings", _) => "'settings'".to_string(),
        (_, Some(c)) => format!("{r}.{c}"),
        (_, None) => "NULL".to_string(),
    };
    let code = table.code;
    let of = if event == "UPDATE" { format!(" OF {}", table.columns.join(", ")) } else { String::new() };
    let mut out = format!(
        "CREATE TRIGGER {}_changes_{} AFTER {event}{of} ON {} BEGIN\n{GUARD}",
        table.name,
        event.to_lowercase(),
        table.name
    );
    out += "    INSERT INTO changes (tx, tbl, row_id, col, value, entity)\n";
    match event {
        "DELETE" => {
            out += &format!("    SELECT w.tx, {code}, {row}, -1, NULL, {entity} FROM write_ctx w WHERE w.replay = 0;\n")
        }
        "INSERT" => {
            let values = table.columns.iter().map(|c| format!("NEW.{c}")).collect::<Vec<_>>().join(", ");
            out += &format!("    SELECT w.tx, {code}, {row}, 0, jsonb_array({values}), {entity} FROM write_ctx w WHERE w.replay = 0;\n");
        }
        _ => {
            let terms = table
                .columns
                .iter()
                .enumerate()
                .map(|(i, c)| format!("SELECT {} AS col, NEW.{c} AS val, NEW.{c} IS NOT OLD.{c} AS chg", i + 1))
                .collect::<Vec<_>>()
                .join("\n        UNION ALL ");
            out += &format!(
                "    SELECT w.tx, {code}, {row}, c.col, c.val, {entity} FROM write_ctx w, (\n        {terms}\n    ) c WHERE c.chg AND w.replay = 0;\n"
            );
        }
    }
    out + "END"
}

/// A table's rows of `change_columns` (code, column code, name), for a migration's `VALUES`.
pub fn column_rows(table: &Table) -> String {
    table
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| format!("({}, {}, '{c}')", table.code, i + 1))
        .collect::<Vec<_>>()
        .join(",\n    ")
}

/// A table's three triggers and its dictionary rows, for the migration that creates it.
pub fn for_new_table(table: &Table) -> String {
    let mut out = format!(
        "INSERT INTO change_tables (code, name) VALUES\n    ({}, '{}');\nINSERT INTO change_columns (tbl, code, name) VALUES\n    {};\n",
        table.code,
        table.name,
        column_rows(table)
    );
    for event in ["INSERT", "UPDATE", "DELETE"] {
        out += &format!("\n{};\n", trigger(table, event));
    }
    out
}

/// Whitespace folded, for comparing SQL as SQLite keeps it with SQL as generated.
pub fn normalized(sql: &str) -> String {
    sql.split_whitespace().collect::<Vec<_>>().join(" ").trim_end_matches(';').trim().to_string()
}

/// The SQL that sets every customer's `updated_at` from the log as [`touch_customer`] keeps it
/// (for a workspace or archive written before that rule, migration 0014).
pub fn updated_at_from_log() -> String {
    format!(
        "UPDATE customers SET updated_at = (
    SELECT MAX(CAST(substr(x.hlc, 1, 13) AS INTEGER)) FROM changes c JOIN txs x ON x.id = c.tx
    WHERE (c.tbl = 5 AND c.row_id = customers.id) OR (c.entity = customers.id AND c.tbl IN ({})))
WHERE EXISTS (SELECT 1 FROM changes c WHERE c.tbl = 5 AND c.row_id = customers.id)",
        touching_codes().join(", ")
    )
}

fn touching_codes() -> Vec<String> {
    tend_sync::registry::TABLES.iter().filter(|t| t.touches_customer).map(|t| t.code.to_string()).collect()
}

/// The trigger that keeps a customer's `updated_at` the clock (its milliseconds) of the newest
/// change of the customer or of a row of a table that `touches_customer`, whichever device wrote
/// it and in whatever order the changes arrived.
pub fn touch_customer() -> String {
    let codes: Vec<String> =
        tend_sync::registry::TABLES.iter().filter(|t| t.touches_customer).map(|t| t.code.to_string()).collect();
    format!(
        "CREATE TRIGGER changes_touch_customer AFTER INSERT ON changes WHEN NEW.tbl IN ({}) BEGIN
    UPDATE customers SET updated_at = (SELECT CAST(substr(hlc, 1, 13) AS INTEGER) FROM txs WHERE id = NEW.tx)
    WHERE id = COALESCE(NEW.entity, NEW.row_id)
      AND updated_at < (SELECT CAST(substr(hlc, 1, 13) AS INTEGER) FROM txs WHERE id = NEW.tx);
END",
        codes.join(", ")
    )
}
