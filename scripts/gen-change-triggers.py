#!/usr/bin/env python3
"""Prints the change log's dictionary and triggers (DESIGN rule 1, change log v2) for the tables
as they are now.

    gen-change-triggers.py                 the dictionary rows and every table's triggers (0006 holds
                                           those of the first eight tables)
    gen-change-triggers.py TABLE...        DROP and CREATE of those tables' triggers and the
                                           dictionary rows of new columns, for a new migration
                                           when a tracked column is added
    gen-change-triggers.py --new TABLE...  the dictionary rows and triggers of tables new to the
                                           log, for the migration that creates them

The log (v2): an INSERT is one record (col 0) whose value is a JSONB array of every tracked
column in code order (element i is column code i + 1); an UPDATE is one record per changed column
(col = the column's code); a DELETE is one record (col -1). `entity` is the record the change
belongs to in history when it is not the row itself (a contact's, value's or interaction's
customer). Codes are fixed here and never reused: a new tracked column is appended to its table's
list, a new table gets the next table code.

Migrations only go forward: the output goes into a NEW migration file. Kept so the trigger SQL
is generated, not hand-copied.
"""
import sys

# table -> (code, row id expression, entity expression (None: the row itself), tracked columns)
TABLES = {
    "settings": (1, "{r}.key", "'settings'", ["value"]),
    "staff": (2, "{r}.id", None, ["name", "email", "role", "created_at", "deleted_at"]),
    "stages": (3, "{r}.id", None, ["name", "position", "deleted_at"]),
    "custom_fields": (4, "{r}.id", None,
                      ["key", "label", "kind", "options", "required", "position", "deleted_at"]),
    "customers": (5, "{r}.id", None, [
        "kind", "name", "family_name", "middle_name", "given_name", "phones", "emails", "street",
        "ward", "district", "province", "tax_code", "source", "owner_id", "stage_id", "tags",
        "birthday", "gender", "expected_revenue", "currency", "notes", "external_id", "created_at",
        "deleted_at"]),
    "contacts": (6, "{r}.id", "{r}.customer_id", [
        "customer_id", "name", "role", "phone", "email", "is_decision_maker", "created_at",
        "deleted_at"]),
    "custom_values": (7, "{r}.customer_id || '/' || {r}.field_id", "{r}.customer_id", ["value"]),
    "interactions": (8, "{r}.id", "{r}.customer_id", [
        "customer_id", "kind", "channel", "direction", "staff_id", "occurred_at", "summary", "body",
        "amount", "currency", "items", "created_at", "deleted_at"]),
    "segments": (9, "{r}.id", None, ["name", "kind", "rules", "created_at", "deleted_at"]),
    "segment_members": (10, "{r}.segment_id || '/' || {r}.customer_id", "{r}.customer_id",
                        ["added_at"]),
    "deal_stages": (11, "{r}.id", None,
                    ["name", "position", "probability", "kind", "next_contact_days", "deleted_at"]),
    "deals": (12, "{r}.id", "{r}.customer_id", [
        "customer_id", "title", "stage_id", "amount", "currency", "expected_close", "owner_id",
        "lost_reason", "purchase_id", "stage_changed_at", "closed_at", "created_at", "deleted_at"]),
    "care_plans": (13, "{r}.id", None, ["name", "anchor", "steps", "created_at", "deleted_at",
                                        "enrol", "unenrol_on_leave"]),
    "care_enrolments": (14, "{r}.id", "{r}.customer_id", [
        "plan_id", "customer_id", "anchor_key", "anchor_at", "source", "enrolled_at", "ended_at",
        "end_reason"]),
    "care_tasks": (15, "{r}.id", "{r}.customer_id", [
        "enrolment_id", "plan_id", "customer_id", "step", "occurrence", "name", "channel",
        "message", "due_at", "remind_at", "assignee_id", "state", "outcome", "interaction_id",
        "closed_at", "created_at", "deleted_at"]),
}

GUARD = ("    SELECT RAISE(ABORT, 'tend: write outside a change context') "
         "WHERE NOT EXISTS (SELECT 1 FROM write_ctx);\n")


def trig(table, event, code, row, entity, cols):
    r = "OLD" if event == "DELETE" else "NEW"
    row = row.format(r=r)
    entity = "NULL" if entity is None else entity.format(r=r)
    name = f"{table}_changes_{event.lower()}"
    of = f" OF {', '.join(cols)}" if event == "UPDATE" else ""
    out = f"CREATE TRIGGER {name} AFTER {event}{of} ON {table} BEGIN\n{GUARD}"
    out += "    INSERT INTO changes (tx, tbl, row_id, col, value, entity)\n"
    if event == "DELETE":
        out += f"    SELECT w.tx, {code}, {row}, -1, NULL, {entity} FROM write_ctx w;\n"
    elif event == "INSERT":
        values = ", ".join(f"NEW.{c}" for c in cols)
        out += f"    SELECT w.tx, {code}, {row}, 0, jsonb_array({values}), {entity} FROM write_ctx w;\n"
    else:
        terms = [f"SELECT {i + 1} AS col, NEW.{c} AS val, NEW.{c} IS NOT OLD.{c} AS chg"
                 for i, c in enumerate(cols)]
        union = "\n        UNION ALL ".join(terms)
        out += (f"    SELECT w.tx, {code}, {row}, c.col, c.val, {entity} FROM write_ctx w, (\n"
                f"        {union}\n    ) c WHERE c.chg;\n")
    return out + "END;\n"


def dictionary(only, new=False):
    rows_t, rows_c = [], []
    for table, (code, _, _, cols) in TABLES.items():
        if only and table not in only:
            continue
        rows_t.append(f"({code}, '{table}')")
        rows_c += [f"({code}, {i + 1}, '{c}')" for i, c in enumerate(cols)]
    out = ""
    if not only or new:
        out += "INSERT INTO change_tables (code, name) VALUES\n    " + ",\n    ".join(rows_t) + ";\n"
        out += "INSERT INTO change_columns (tbl, code, name) VALUES\n    " + ",\n    ".join(rows_c) + ";\n"
    else:
        out += "INSERT OR IGNORE INTO change_columns (tbl, code, name) VALUES\n    " + ",\n    ".join(rows_c) + ";\n"
    return out


def main():
    new = sys.argv[1:2] == ["--new"]
    only = sys.argv[2:] if new else sys.argv[1:]
    parts = ["-- Generated by scripts/gen-change-triggers.py: the change log's dictionary and triggers.\n",
             dictionary(only, new)]
    for table, (code, row, entity, cols) in TABLES.items():
        if only and table not in only:
            continue
        for event in ("INSERT", "UPDATE", "DELETE"):
            if only and not new:
                parts.append(f"DROP TRIGGER {table}_changes_{event.lower()};")
            parts.append(trig(table, event, code, row, entity, cols))
    sys.stdout.write("\n".join(parts))


if __name__ == "__main__":
    main()
