-- The merge converges (issue 24): a workspace's shared state is a function of the set of
-- transactions it received, whatever their order and however often each came.
--
-- Another device's transaction is stored in the log as it came and the rows it touches are made
-- again from the log (src/changelog/apply.rs), so while it is applied (`write_ctx.replay`) the
-- triggers record nothing. Records of a table or column this build does not know wait in
-- `sync_inbox` for the build that knows them; rows whose parent is not here yet (or is purged)
-- wait in `sync_waiting`. A customer's `updated_at` is the clock of its newest change, kept by
-- `changes_touch_customer` (no device stamps it with its own time any more). Names that are
-- unique on one device may meet a twin from another: their indexes are no longer UNIQUE (the
-- forms still refuse a second one).
-- The triggers below are the output of `cargo run --example change-triggers -- --all`.

ALTER TABLE write_ctx ADD COLUMN replay INTEGER NOT NULL DEFAULT 0;

CREATE TABLE sync_inbox (
    tx     INTEGER NOT NULL REFERENCES txs(id),
    record TEXT NOT NULL
) STRICT;

CREATE TABLE sync_waiting (
    tbl    INTEGER NOT NULL,
    row_id TEXT NOT NULL,
    PRIMARY KEY (tbl, row_id)
) STRICT;

DROP INDEX segments_name;
CREATE INDEX segments_name ON segments(name) WHERE deleted_at IS NULL;
DROP INDEX care_plans_name;
CREATE INDEX care_plans_name ON care_plans(name) WHERE deleted_at IS NULL;
DROP INDEX custom_fields_key;
CREATE INDEX custom_fields_key ON custom_fields(key) WHERE deleted_at IS NULL;

DROP TRIGGER settings_changes_insert;
CREATE TRIGGER settings_changes_insert AFTER INSERT ON settings BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 1, NEW.key, 0, jsonb_array(NEW.value), 'settings' FROM write_ctx w WHERE w.replay = 0;
END;

DROP TRIGGER settings_changes_update;
CREATE TRIGGER settings_changes_update AFTER UPDATE OF value ON settings BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 1, NEW.key, c.col, c.val, 'settings' FROM write_ctx w, (
        SELECT 1 AS col, NEW.value AS val, NEW.value IS NOT OLD.value AS chg
    ) c WHERE c.chg AND w.replay = 0;
END;

DROP TRIGGER settings_changes_delete;
CREATE TRIGGER settings_changes_delete AFTER DELETE ON settings BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 1, OLD.key, -1, NULL, 'settings' FROM write_ctx w WHERE w.replay = 0;
END;

DROP TRIGGER staff_changes_insert;
CREATE TRIGGER staff_changes_insert AFTER INSERT ON staff BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 2, NEW.id, 0, jsonb_array(NEW.name, NEW.email, NEW.role, NEW.created_at, NEW.deleted_at), NULL FROM write_ctx w WHERE w.replay = 0;
END;

DROP TRIGGER staff_changes_update;
CREATE TRIGGER staff_changes_update AFTER UPDATE OF name, email, role, created_at, deleted_at ON staff BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 2, NEW.id, c.col, c.val, NULL FROM write_ctx w, (
        SELECT 1 AS col, NEW.name AS val, NEW.name IS NOT OLD.name AS chg
        UNION ALL SELECT 2 AS col, NEW.email AS val, NEW.email IS NOT OLD.email AS chg
        UNION ALL SELECT 3 AS col, NEW.role AS val, NEW.role IS NOT OLD.role AS chg
        UNION ALL SELECT 4 AS col, NEW.created_at AS val, NEW.created_at IS NOT OLD.created_at AS chg
        UNION ALL SELECT 5 AS col, NEW.deleted_at AS val, NEW.deleted_at IS NOT OLD.deleted_at AS chg
    ) c WHERE c.chg AND w.replay = 0;
END;

DROP TRIGGER staff_changes_delete;
CREATE TRIGGER staff_changes_delete AFTER DELETE ON staff BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 2, OLD.id, -1, NULL, NULL FROM write_ctx w WHERE w.replay = 0;
END;

DROP TRIGGER stages_changes_insert;
CREATE TRIGGER stages_changes_insert AFTER INSERT ON stages BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 3, NEW.id, 0, jsonb_array(NEW.name, NEW.position, NEW.deleted_at), NULL FROM write_ctx w WHERE w.replay = 0;
END;

DROP TRIGGER stages_changes_update;
CREATE TRIGGER stages_changes_update AFTER UPDATE OF name, position, deleted_at ON stages BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 3, NEW.id, c.col, c.val, NULL FROM write_ctx w, (
        SELECT 1 AS col, NEW.name AS val, NEW.name IS NOT OLD.name AS chg
        UNION ALL SELECT 2 AS col, NEW.position AS val, NEW.position IS NOT OLD.position AS chg
        UNION ALL SELECT 3 AS col, NEW.deleted_at AS val, NEW.deleted_at IS NOT OLD.deleted_at AS chg
    ) c WHERE c.chg AND w.replay = 0;
END;

DROP TRIGGER stages_changes_delete;
CREATE TRIGGER stages_changes_delete AFTER DELETE ON stages BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 3, OLD.id, -1, NULL, NULL FROM write_ctx w WHERE w.replay = 0;
END;

DROP TRIGGER custom_fields_changes_insert;
CREATE TRIGGER custom_fields_changes_insert AFTER INSERT ON custom_fields BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 4, NEW.id, 0, jsonb_array(NEW.key, NEW.label, NEW.kind, NEW.options, NEW.required, NEW.position, NEW.deleted_at), NULL FROM write_ctx w WHERE w.replay = 0;
END;

DROP TRIGGER custom_fields_changes_update;
CREATE TRIGGER custom_fields_changes_update AFTER UPDATE OF key, label, kind, options, required, position, deleted_at ON custom_fields BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 4, NEW.id, c.col, c.val, NULL FROM write_ctx w, (
        SELECT 1 AS col, NEW.key AS val, NEW.key IS NOT OLD.key AS chg
        UNION ALL SELECT 2 AS col, NEW.label AS val, NEW.label IS NOT OLD.label AS chg
        UNION ALL SELECT 3 AS col, NEW.kind AS val, NEW.kind IS NOT OLD.kind AS chg
        UNION ALL SELECT 4 AS col, NEW.options AS val, NEW.options IS NOT OLD.options AS chg
        UNION ALL SELECT 5 AS col, NEW.required AS val, NEW.required IS NOT OLD.required AS chg
        UNION ALL SELECT 6 AS col, NEW.position AS val, NEW.position IS NOT OLD.position AS chg
        UNION ALL SELECT 7 AS col, NEW.deleted_at AS val, NEW.deleted_at IS NOT OLD.deleted_at AS chg
    ) c WHERE c.chg AND w.replay = 0;
END;

DROP TRIGGER custom_fields_changes_delete;
CREATE TRIGGER custom_fields_changes_delete AFTER DELETE ON custom_fields BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 4, OLD.id, -1, NULL, NULL FROM write_ctx w WHERE w.replay = 0;
END;

DROP TRIGGER customers_changes_insert;
CREATE TRIGGER customers_changes_insert AFTER INSERT ON customers BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 5, NEW.id, 0, jsonb_array(NEW.kind, NEW.name, NEW.family_name, NEW.middle_name, NEW.given_name, NEW.phones, NEW.emails, NEW.street, NEW.ward, NEW.district, NEW.province, NEW.tax_code, NEW.source, NEW.owner_id, NEW.stage_id, NEW.tags, NEW.birthday, NEW.gender, NEW.expected_revenue, NEW.currency, NEW.notes, NEW.external_id, NEW.created_at, NEW.deleted_at), NULL FROM write_ctx w WHERE w.replay = 0;
END;

DROP TRIGGER customers_changes_update;
CREATE TRIGGER customers_changes_update AFTER UPDATE OF kind, name, family_name, middle_name, given_name, phones, emails, street, ward, district, province, tax_code, source, owner_id, stage_id, tags, birthday, gender, expected_revenue, currency, notes, external_id, created_at, deleted_at ON customers BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 5, NEW.id, c.col, c.val, NULL FROM write_ctx w, (
        SELECT 1 AS col, NEW.kind AS val, NEW.kind IS NOT OLD.kind AS chg
        UNION ALL SELECT 2 AS col, NEW.name AS val, NEW.name IS NOT OLD.name AS chg
        UNION ALL SELECT 3 AS col, NEW.family_name AS val, NEW.family_name IS NOT OLD.family_name AS chg
        UNION ALL SELECT 4 AS col, NEW.middle_name AS val, NEW.middle_name IS NOT OLD.middle_name AS chg
        UNION ALL SELECT 5 AS col, NEW.given_name AS val, NEW.given_name IS NOT OLD.given_name AS chg
        UNION ALL SELECT 6 AS col, NEW.phones AS val, NEW.phones IS NOT OLD.phones AS chg
        UNION ALL SELECT 7 AS col, NEW.emails AS val, NEW.emails IS NOT OLD.emails AS chg
        UNION ALL SELECT 8 AS col, NEW.street AS val, NEW.street IS NOT OLD.street AS chg
        UNION ALL SELECT 9 AS col, NEW.ward AS val, NEW.ward IS NOT OLD.ward AS chg
        UNION ALL SELECT 10 AS col, NEW.district AS val, NEW.district IS NOT OLD.district AS chg
        UNION ALL SELECT 11 AS col, NEW.province AS val, NEW.province IS NOT OLD.province AS chg
        UNION ALL SELECT 12 AS col, NEW.tax_code AS val, NEW.tax_code IS NOT OLD.tax_code AS chg
        UNION ALL SELECT 13 AS col, NEW.source AS val, NEW.source IS NOT OLD.source AS chg
        UNION ALL SELECT 14 AS col, NEW.owner_id AS val, NEW.owner_id IS NOT OLD.owner_id AS chg
        UNION ALL SELECT 15 AS col, NEW.stage_id AS val, NEW.stage_id IS NOT OLD.stage_id AS chg
        UNION ALL SELECT 16 AS col, NEW.tags AS val, NEW.tags IS NOT OLD.tags AS chg
        UNION ALL SELECT 17 AS col, NEW.birthday AS val, NEW.birthday IS NOT OLD.birthday AS chg
        UNION ALL SELECT 18 AS col, NEW.gender AS val, NEW.gender IS NOT OLD.gender AS chg
        UNION ALL SELECT 19 AS col, NEW.expected_revenue AS val, NEW.expected_revenue IS NOT OLD.expected_revenue AS chg
        UNION ALL SELECT 20 AS col, NEW.currency AS val, NEW.currency IS NOT OLD.currency AS chg
        UNION ALL SELECT 21 AS col, NEW.notes AS val, NEW.notes IS NOT OLD.notes AS chg
        UNION ALL SELECT 22 AS col, NEW.external_id AS val, NEW.external_id IS NOT OLD.external_id AS chg
        UNION ALL SELECT 23 AS col, NEW.created_at AS val, NEW.created_at IS NOT OLD.created_at AS chg
        UNION ALL SELECT 24 AS col, NEW.deleted_at AS val, NEW.deleted_at IS NOT OLD.deleted_at AS chg
    ) c WHERE c.chg AND w.replay = 0;
END;

DROP TRIGGER customers_changes_delete;
CREATE TRIGGER customers_changes_delete AFTER DELETE ON customers BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 5, OLD.id, -1, NULL, NULL FROM write_ctx w WHERE w.replay = 0;
END;

DROP TRIGGER contacts_changes_insert;
CREATE TRIGGER contacts_changes_insert AFTER INSERT ON contacts BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 6, NEW.id, 0, jsonb_array(NEW.customer_id, NEW.name, NEW.role, NEW.phone, NEW.email, NEW.is_decision_maker, NEW.created_at, NEW.deleted_at), NEW.customer_id FROM write_ctx w WHERE w.replay = 0;
END;

DROP TRIGGER contacts_changes_update;
CREATE TRIGGER contacts_changes_update AFTER UPDATE OF customer_id, name, role, phone, email, is_decision_maker, created_at, deleted_at ON contacts BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 6, NEW.id, c.col, c.val, NEW.customer_id FROM write_ctx w, (
        SELECT 1 AS col, NEW.customer_id AS val, NEW.customer_id IS NOT OLD.customer_id AS chg
        UNION ALL SELECT 2 AS col, NEW.name AS val, NEW.name IS NOT OLD.name AS chg
        UNION ALL SELECT 3 AS col, NEW.role AS val, NEW.role IS NOT OLD.role AS chg
        UNION ALL SELECT 4 AS col, NEW.phone AS val, NEW.phone IS NOT OLD.phone AS chg
        UNION ALL SELECT 5 AS col, NEW.email AS val, NEW.email IS NOT OLD.email AS chg
        UNION ALL SELECT 6 AS col, NEW.is_decision_maker AS val, NEW.is_decision_maker IS NOT OLD.is_decision_maker AS chg
        UNION ALL SELECT 7 AS col, NEW.created_at AS val, NEW.created_at IS NOT OLD.created_at AS chg
        UNION ALL SELECT 8 AS col, NEW.deleted_at AS val, NEW.deleted_at IS NOT OLD.deleted_at AS chg
    ) c WHERE c.chg AND w.replay = 0;
END;

DROP TRIGGER contacts_changes_delete;
CREATE TRIGGER contacts_changes_delete AFTER DELETE ON contacts BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 6, OLD.id, -1, NULL, OLD.customer_id FROM write_ctx w WHERE w.replay = 0;
END;

DROP TRIGGER custom_values_changes_insert;
CREATE TRIGGER custom_values_changes_insert AFTER INSERT ON custom_values BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 7, NEW.customer_id || '/' || NEW.field_id, 0, jsonb_array(NEW.value), NEW.customer_id FROM write_ctx w WHERE w.replay = 0;
END;

DROP TRIGGER custom_values_changes_update;
CREATE TRIGGER custom_values_changes_update AFTER UPDATE OF value ON custom_values BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 7, NEW.customer_id || '/' || NEW.field_id, c.col, c.val, NEW.customer_id FROM write_ctx w, (
        SELECT 1 AS col, NEW.value AS val, NEW.value IS NOT OLD.value AS chg
    ) c WHERE c.chg AND w.replay = 0;
END;

DROP TRIGGER custom_values_changes_delete;
CREATE TRIGGER custom_values_changes_delete AFTER DELETE ON custom_values BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 7, OLD.customer_id || '/' || OLD.field_id, -1, NULL, OLD.customer_id FROM write_ctx w WHERE w.replay = 0;
END;

DROP TRIGGER interactions_changes_insert;
CREATE TRIGGER interactions_changes_insert AFTER INSERT ON interactions BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 8, NEW.id, 0, jsonb_array(NEW.customer_id, NEW.kind, NEW.channel, NEW.direction, NEW.staff_id, NEW.occurred_at, NEW.summary, NEW.body, NEW.amount, NEW.currency, NEW.items, NEW.created_at, NEW.deleted_at), NEW.customer_id FROM write_ctx w WHERE w.replay = 0;
END;

DROP TRIGGER interactions_changes_update;
CREATE TRIGGER interactions_changes_update AFTER UPDATE OF customer_id, kind, channel, direction, staff_id, occurred_at, summary, body, amount, currency, items, created_at, deleted_at ON interactions BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 8, NEW.id, c.col, c.val, NEW.customer_id FROM write_ctx w, (
        SELECT 1 AS col, NEW.customer_id AS val, NEW.customer_id IS NOT OLD.customer_id AS chg
        UNION ALL SELECT 2 AS col, NEW.kind AS val, NEW.kind IS NOT OLD.kind AS chg
        UNION ALL SELECT 3 AS col, NEW.channel AS val, NEW.channel IS NOT OLD.channel AS chg
        UNION ALL SELECT 4 AS col, NEW.direction AS val, NEW.direction IS NOT OLD.direction AS chg
        UNION ALL SELECT 5 AS col, NEW.staff_id AS val, NEW.staff_id IS NOT OLD.staff_id AS chg
        UNION ALL SELECT 6 AS col, NEW.occurred_at AS val, NEW.occurred_at IS NOT OLD.occurred_at AS chg
        UNION ALL SELECT 7 AS col, NEW.summary AS val, NEW.summary IS NOT OLD.summary AS chg
        UNION ALL SELECT 8 AS col, NEW.body AS val, NEW.body IS NOT OLD.body AS chg
        UNION ALL SELECT 9 AS col, NEW.amount AS val, NEW.amount IS NOT OLD.amount AS chg
        UNION ALL SELECT 10 AS col, NEW.currency AS val, NEW.currency IS NOT OLD.currency AS chg
        UNION ALL SELECT 11 AS col, NEW.items AS val, NEW.items IS NOT OLD.items AS chg
        UNION ALL SELECT 12 AS col, NEW.created_at AS val, NEW.created_at IS NOT OLD.created_at AS chg
        UNION ALL SELECT 13 AS col, NEW.deleted_at AS val, NEW.deleted_at IS NOT OLD.deleted_at AS chg
    ) c WHERE c.chg AND w.replay = 0;
END;

DROP TRIGGER interactions_changes_delete;
CREATE TRIGGER interactions_changes_delete AFTER DELETE ON interactions BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 8, OLD.id, -1, NULL, OLD.customer_id FROM write_ctx w WHERE w.replay = 0;
END;

DROP TRIGGER segments_changes_insert;
CREATE TRIGGER segments_changes_insert AFTER INSERT ON segments BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 9, NEW.id, 0, jsonb_array(NEW.name, NEW.kind, NEW.rules, NEW.created_at, NEW.deleted_at), NULL FROM write_ctx w WHERE w.replay = 0;
END;

DROP TRIGGER segments_changes_update;
CREATE TRIGGER segments_changes_update AFTER UPDATE OF name, kind, rules, created_at, deleted_at ON segments BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 9, NEW.id, c.col, c.val, NULL FROM write_ctx w, (
        SELECT 1 AS col, NEW.name AS val, NEW.name IS NOT OLD.name AS chg
        UNION ALL SELECT 2 AS col, NEW.kind AS val, NEW.kind IS NOT OLD.kind AS chg
        UNION ALL SELECT 3 AS col, NEW.rules AS val, NEW.rules IS NOT OLD.rules AS chg
        UNION ALL SELECT 4 AS col, NEW.created_at AS val, NEW.created_at IS NOT OLD.created_at AS chg
        UNION ALL SELECT 5 AS col, NEW.deleted_at AS val, NEW.deleted_at IS NOT OLD.deleted_at AS chg
    ) c WHERE c.chg AND w.replay = 0;
END;

DROP TRIGGER segments_changes_delete;
CREATE TRIGGER segments_changes_delete AFTER DELETE ON segments BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 9, OLD.id, -1, NULL, NULL FROM write_ctx w WHERE w.replay = 0;
END;

DROP TRIGGER segment_members_changes_insert;
CREATE TRIGGER segment_members_changes_insert AFTER INSERT ON segment_members BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 10, NEW.segment_id || '/' || NEW.customer_id, 0, jsonb_array(NEW.added_at), NEW.customer_id FROM write_ctx w WHERE w.replay = 0;
END;

DROP TRIGGER segment_members_changes_update;
CREATE TRIGGER segment_members_changes_update AFTER UPDATE OF added_at ON segment_members BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 10, NEW.segment_id || '/' || NEW.customer_id, c.col, c.val, NEW.customer_id FROM write_ctx w, (
        SELECT 1 AS col, NEW.added_at AS val, NEW.added_at IS NOT OLD.added_at AS chg
    ) c WHERE c.chg AND w.replay = 0;
END;

DROP TRIGGER segment_members_changes_delete;
CREATE TRIGGER segment_members_changes_delete AFTER DELETE ON segment_members BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 10, OLD.segment_id || '/' || OLD.customer_id, -1, NULL, OLD.customer_id FROM write_ctx w WHERE w.replay = 0;
END;

DROP TRIGGER deal_stages_changes_insert;
CREATE TRIGGER deal_stages_changes_insert AFTER INSERT ON deal_stages BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 11, NEW.id, 0, jsonb_array(NEW.name, NEW.position, NEW.probability, NEW.kind, NEW.next_contact_days, NEW.deleted_at), NULL FROM write_ctx w WHERE w.replay = 0;
END;

DROP TRIGGER deal_stages_changes_update;
CREATE TRIGGER deal_stages_changes_update AFTER UPDATE OF name, position, probability, kind, next_contact_days, deleted_at ON deal_stages BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 11, NEW.id, c.col, c.val, NULL FROM write_ctx w, (
        SELECT 1 AS col, NEW.name AS val, NEW.name IS NOT OLD.name AS chg
        UNION ALL SELECT 2 AS col, NEW.position AS val, NEW.position IS NOT OLD.position AS chg
        UNION ALL SELECT 3 AS col, NEW.probability AS val, NEW.probability IS NOT OLD.probability AS chg
        UNION ALL SELECT 4 AS col, NEW.kind AS val, NEW.kind IS NOT OLD.kind AS chg
        UNION ALL SELECT 5 AS col, NEW.next_contact_days AS val, NEW.next_contact_days IS NOT OLD.next_contact_days AS chg
        UNION ALL SELECT 6 AS col, NEW.deleted_at AS val, NEW.deleted_at IS NOT OLD.deleted_at AS chg
    ) c WHERE c.chg AND w.replay = 0;
END;

DROP TRIGGER deal_stages_changes_delete;
CREATE TRIGGER deal_stages_changes_delete AFTER DELETE ON deal_stages BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 11, OLD.id, -1, NULL, NULL FROM write_ctx w WHERE w.replay = 0;
END;

DROP TRIGGER deals_changes_insert;
CREATE TRIGGER deals_changes_insert AFTER INSERT ON deals BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 12, NEW.id, 0, jsonb_array(NEW.customer_id, NEW.title, NEW.stage_id, NEW.amount, NEW.currency, NEW.expected_close, NEW.owner_id, NEW.lost_reason, NEW.purchase_id, NEW.stage_changed_at, NEW.closed_at, NEW.created_at, NEW.deleted_at), NEW.customer_id FROM write_ctx w WHERE w.replay = 0;
END;

DROP TRIGGER deals_changes_update;
CREATE TRIGGER deals_changes_update AFTER UPDATE OF customer_id, title, stage_id, amount, currency, expected_close, owner_id, lost_reason, purchase_id, stage_changed_at, closed_at, created_at, deleted_at ON deals BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 12, NEW.id, c.col, c.val, NEW.customer_id FROM write_ctx w, (
        SELECT 1 AS col, NEW.customer_id AS val, NEW.customer_id IS NOT OLD.customer_id AS chg
        UNION ALL SELECT 2 AS col, NEW.title AS val, NEW.title IS NOT OLD.title AS chg
        UNION ALL SELECT 3 AS col, NEW.stage_id AS val, NEW.stage_id IS NOT OLD.stage_id AS chg
        UNION ALL SELECT 4 AS col, NEW.amount AS val, NEW.amount IS NOT OLD.amount AS chg
        UNION ALL SELECT 5 AS col, NEW.currency AS val, NEW.currency IS NOT OLD.currency AS chg
        UNION ALL SELECT 6 AS col, NEW.expected_close AS val, NEW.expected_close IS NOT OLD.expected_close AS chg
        UNION ALL SELECT 7 AS col, NEW.owner_id AS val, NEW.owner_id IS NOT OLD.owner_id AS chg
        UNION ALL SELECT 8 AS col, NEW.lost_reason AS val, NEW.lost_reason IS NOT OLD.lost_reason AS chg
        UNION ALL SELECT 9 AS col, NEW.purchase_id AS val, NEW.purchase_id IS NOT OLD.purchase_id AS chg
        UNION ALL SELECT 10 AS col, NEW.stage_changed_at AS val, NEW.stage_changed_at IS NOT OLD.stage_changed_at AS chg
        UNION ALL SELECT 11 AS col, NEW.closed_at AS val, NEW.closed_at IS NOT OLD.closed_at AS chg
        UNION ALL SELECT 12 AS col, NEW.created_at AS val, NEW.created_at IS NOT OLD.created_at AS chg
        UNION ALL SELECT 13 AS col, NEW.deleted_at AS val, NEW.deleted_at IS NOT OLD.deleted_at AS chg
    ) c WHERE c.chg AND w.replay = 0;
END;

DROP TRIGGER deals_changes_delete;
CREATE TRIGGER deals_changes_delete AFTER DELETE ON deals BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 12, OLD.id, -1, NULL, OLD.customer_id FROM write_ctx w WHERE w.replay = 0;
END;

DROP TRIGGER care_plans_changes_insert;
CREATE TRIGGER care_plans_changes_insert AFTER INSERT ON care_plans BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 13, NEW.id, 0, jsonb_array(NEW.name, NEW.anchor, NEW.steps, NEW.created_at, NEW.deleted_at, NEW.enrol, NEW.unenrol_on_leave), NULL FROM write_ctx w WHERE w.replay = 0;
END;

DROP TRIGGER care_plans_changes_update;
CREATE TRIGGER care_plans_changes_update AFTER UPDATE OF name, anchor, steps, created_at, deleted_at, enrol, unenrol_on_leave ON care_plans BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 13, NEW.id, c.col, c.val, NULL FROM write_ctx w, (
        SELECT 1 AS col, NEW.name AS val, NEW.name IS NOT OLD.name AS chg
        UNION ALL SELECT 2 AS col, NEW.anchor AS val, NEW.anchor IS NOT OLD.anchor AS chg
        UNION ALL SELECT 3 AS col, NEW.steps AS val, NEW.steps IS NOT OLD.steps AS chg
        UNION ALL SELECT 4 AS col, NEW.created_at AS val, NEW.created_at IS NOT OLD.created_at AS chg
        UNION ALL SELECT 5 AS col, NEW.deleted_at AS val, NEW.deleted_at IS NOT OLD.deleted_at AS chg
        UNION ALL SELECT 6 AS col, NEW.enrol AS val, NEW.enrol IS NOT OLD.enrol AS chg
        UNION ALL SELECT 7 AS col, NEW.unenrol_on_leave AS val, NEW.unenrol_on_leave IS NOT OLD.unenrol_on_leave AS chg
    ) c WHERE c.chg AND w.replay = 0;
END;

DROP TRIGGER care_plans_changes_delete;
CREATE TRIGGER care_plans_changes_delete AFTER DELETE ON care_plans BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 13, OLD.id, -1, NULL, NULL FROM write_ctx w WHERE w.replay = 0;
END;

DROP TRIGGER care_enrolments_changes_insert;
CREATE TRIGGER care_enrolments_changes_insert AFTER INSERT ON care_enrolments BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 14, NEW.id, 0, jsonb_array(NEW.plan_id, NEW.customer_id, NEW.anchor_key, NEW.anchor_at, NEW.source, NEW.enrolled_at, NEW.ended_at, NEW.end_reason), NEW.customer_id FROM write_ctx w WHERE w.replay = 0;
END;

DROP TRIGGER care_enrolments_changes_update;
CREATE TRIGGER care_enrolments_changes_update AFTER UPDATE OF plan_id, customer_id, anchor_key, anchor_at, source, enrolled_at, ended_at, end_reason ON care_enrolments BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 14, NEW.id, c.col, c.val, NEW.customer_id FROM write_ctx w, (
        SELECT 1 AS col, NEW.plan_id AS val, NEW.plan_id IS NOT OLD.plan_id AS chg
        UNION ALL SELECT 2 AS col, NEW.customer_id AS val, NEW.customer_id IS NOT OLD.customer_id AS chg
        UNION ALL SELECT 3 AS col, NEW.anchor_key AS val, NEW.anchor_key IS NOT OLD.anchor_key AS chg
        UNION ALL SELECT 4 AS col, NEW.anchor_at AS val, NEW.anchor_at IS NOT OLD.anchor_at AS chg
        UNION ALL SELECT 5 AS col, NEW.source AS val, NEW.source IS NOT OLD.source AS chg
        UNION ALL SELECT 6 AS col, NEW.enrolled_at AS val, NEW.enrolled_at IS NOT OLD.enrolled_at AS chg
        UNION ALL SELECT 7 AS col, NEW.ended_at AS val, NEW.ended_at IS NOT OLD.ended_at AS chg
        UNION ALL SELECT 8 AS col, NEW.end_reason AS val, NEW.end_reason IS NOT OLD.end_reason AS chg
    ) c WHERE c.chg AND w.replay = 0;
END;

DROP TRIGGER care_enrolments_changes_delete;
CREATE TRIGGER care_enrolments_changes_delete AFTER DELETE ON care_enrolments BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 14, OLD.id, -1, NULL, OLD.customer_id FROM write_ctx w WHERE w.replay = 0;
END;

DROP TRIGGER care_tasks_changes_insert;
CREATE TRIGGER care_tasks_changes_insert AFTER INSERT ON care_tasks BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 15, NEW.id, 0, jsonb_array(NEW.enrolment_id, NEW.plan_id, NEW.customer_id, NEW.step, NEW.occurrence, NEW.name, NEW.channel, NEW.message, NEW.due_at, NEW.remind_at, NEW.assignee_id, NEW.state, NEW.outcome, NEW.interaction_id, NEW.closed_at, NEW.created_at, NEW.deleted_at), NEW.customer_id FROM write_ctx w WHERE w.replay = 0;
END;

DROP TRIGGER care_tasks_changes_update;
CREATE TRIGGER care_tasks_changes_update AFTER UPDATE OF enrolment_id, plan_id, customer_id, step, occurrence, name, channel, message, due_at, remind_at, assignee_id, state, outcome, interaction_id, closed_at, created_at, deleted_at ON care_tasks BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 15, NEW.id, c.col, c.val, NEW.customer_id FROM write_ctx w, (
        SELECT 1 AS col, NEW.enrolment_id AS val, NEW.enrolment_id IS NOT OLD.enrolment_id AS chg
        UNION ALL SELECT 2 AS col, NEW.plan_id AS val, NEW.plan_id IS NOT OLD.plan_id AS chg
        UNION ALL SELECT 3 AS col, NEW.customer_id AS val, NEW.customer_id IS NOT OLD.customer_id AS chg
        UNION ALL SELECT 4 AS col, NEW.step AS val, NEW.step IS NOT OLD.step AS chg
        UNION ALL SELECT 5 AS col, NEW.occurrence AS val, NEW.occurrence IS NOT OLD.occurrence AS chg
        UNION ALL SELECT 6 AS col, NEW.name AS val, NEW.name IS NOT OLD.name AS chg
        UNION ALL SELECT 7 AS col, NEW.channel AS val, NEW.channel IS NOT OLD.channel AS chg
        UNION ALL SELECT 8 AS col, NEW.message AS val, NEW.message IS NOT OLD.message AS chg
        UNION ALL SELECT 9 AS col, NEW.due_at AS val, NEW.due_at IS NOT OLD.due_at AS chg
        UNION ALL SELECT 10 AS col, NEW.remind_at AS val, NEW.remind_at IS NOT OLD.remind_at AS chg
        UNION ALL SELECT 11 AS col, NEW.assignee_id AS val, NEW.assignee_id IS NOT OLD.assignee_id AS chg
        UNION ALL SELECT 12 AS col, NEW.state AS val, NEW.state IS NOT OLD.state AS chg
        UNION ALL SELECT 13 AS col, NEW.outcome AS val, NEW.outcome IS NOT OLD.outcome AS chg
        UNION ALL SELECT 14 AS col, NEW.interaction_id AS val, NEW.interaction_id IS NOT OLD.interaction_id AS chg
        UNION ALL SELECT 15 AS col, NEW.closed_at AS val, NEW.closed_at IS NOT OLD.closed_at AS chg
        UNION ALL SELECT 16 AS col, NEW.created_at AS val, NEW.created_at IS NOT OLD.created_at AS chg
        UNION ALL SELECT 17 AS col, NEW.deleted_at AS val, NEW.deleted_at IS NOT OLD.deleted_at AS chg
    ) c WHERE c.chg AND w.replay = 0;
END;

DROP TRIGGER care_tasks_changes_delete;
CREATE TRIGGER care_tasks_changes_delete AFTER DELETE ON care_tasks BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 15, OLD.id, -1, NULL, OLD.customer_id FROM write_ctx w WHERE w.replay = 0;
END;


CREATE TRIGGER changes_touch_customer AFTER INSERT ON changes WHEN NEW.tbl IN (5, 6, 7, 8, 12) BEGIN
    UPDATE customers SET updated_at = (SELECT CAST(substr(hlc, 1, 13) AS INTEGER) FROM txs WHERE id = NEW.tx)
    WHERE id = COALESCE(NEW.entity, NEW.row_id)
      AND updated_at < (SELECT CAST(substr(hlc, 1, 13) AS INTEGER) FROM txs WHERE id = NEW.tx);
END;

-- every customer's `updated_at` by the new rule, from the log it has
UPDATE customers SET updated_at = (
    SELECT MAX(CAST(substr(x.hlc, 1, 13) AS INTEGER)) FROM changes c JOIN txs x ON x.id = c.tx
    WHERE (c.tbl = 5 AND c.row_id = customers.id) OR (c.entity = customers.id AND c.tbl IN (5, 6, 7, 8, 12)))
WHERE EXISTS (SELECT 1 FROM changes c WHERE c.tbl = 5 AND c.row_id = customers.id);
