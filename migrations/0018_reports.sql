-- Reports (issue 27). Tickets keep what their KPIs need, set as the ticket moves (each device
-- writes them with the rest of the ticket, so they travel and merge as its other columns):
--   replies          agent replies to the customer (automatic ones and notes not counted);
--                    NULL: not known (a ticket from before this version, or imported without it)
--   first_solved_at  its first solve (a reopened ticket keeps it)
--   reopened_at      its first reopen
--   stage_at         when it entered its current stage
--   handling_ms      time in working stages (neither pausing the SLA nor solved), calendar and
--   handling_work_ms in the team's working time; NULL: not known
-- Tickets made before this version keep NULL in all of them (the log that made them has no
-- such values either, so every device agrees): the reports leave them out of what needs them.
-- The reports read each table by when something happened: an index on each such instant.

ALTER TABLE tickets ADD COLUMN replies INTEGER;
ALTER TABLE tickets ADD COLUMN first_solved_at INTEGER;
ALTER TABLE tickets ADD COLUMN reopened_at INTEGER;
ALTER TABLE tickets ADD COLUMN stage_at INTEGER;
ALTER TABLE tickets ADD COLUMN handling_ms INTEGER;
ALTER TABLE tickets ADD COLUMN handling_work_ms INTEGER;

CREATE INDEX tickets_responded ON tickets(first_response_at) WHERE deleted_at IS NULL AND first_response_at IS NOT NULL;
CREATE INDEX tickets_solved ON tickets(solved_at) WHERE deleted_at IS NULL AND solved_at IS NOT NULL;
CREATE INDEX tickets_unsolved ON tickets(created_at) WHERE deleted_at IS NULL AND solved_at IS NULL;
CREATE INDEX tickets_first_response_due ON tickets(first_response_due) WHERE deleted_at IS NULL AND first_response_due IS NOT NULL;
CREATE INDEX tickets_resolution_due ON tickets(resolution_due) WHERE deleted_at IS NULL AND resolution_due IS NOT NULL;
CREATE INDEX survey_answers_loose_answered ON survey_answers(answered_at) WHERE ticket_id IS NULL AND deleted_at IS NULL;
CREATE INDEX survey_answers_loose_sent ON survey_answers(sent_at) WHERE ticket_id IS NULL AND deleted_at IS NULL;
CREATE INDEX interactions_purchases ON interactions(occurred_at) WHERE kind = 'purchase' AND deleted_at IS NULL;
CREATE INDEX deals_closed ON deals(closed_at) WHERE deleted_at IS NULL AND closed_at IS NOT NULL;
CREATE INDEX deals_created ON deals(created_at) WHERE deleted_at IS NULL;

-- The tickets as the reports read them (src/reports/cache.rs): one chunk per UTC day of
-- creation, the day's tickets and their survey answers as columns of numbers in one blob. Local
-- and derived (not tracked, not in archives). Every write to a ticket or an answer bumps its
-- chunk's version; a report builds a chunk again when `built` is not `version`.
CREATE TABLE report_chunks (
    day      INTEGER PRIMARY KEY,   -- created_at / 86400000
    version  INTEGER NOT NULL,
    built    INTEGER,               -- the version `data` holds
    first_at INTEGER,               -- the earliest and latest instant a report reads of its tickets
    last_at  INTEGER,
    data     BLOB
) STRICT;
INSERT INTO report_chunks (day, version) SELECT DISTINCT created_at / 86400000, 1 FROM tickets;

CREATE TRIGGER tickets_report_insert AFTER INSERT ON tickets BEGIN
    INSERT INTO report_chunks (day, version) VALUES (NEW.created_at / 86400000, 1)
    ON CONFLICT (day) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER tickets_report_update AFTER UPDATE ON tickets BEGIN
    INSERT INTO report_chunks (day, version) VALUES (OLD.created_at / 86400000, 1)
    ON CONFLICT (day) DO UPDATE SET version = version + 1;
    INSERT INTO report_chunks (day, version) SELECT NEW.created_at / 86400000, 1
    WHERE NEW.created_at / 86400000 <> OLD.created_at / 86400000
    ON CONFLICT (day) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER tickets_report_delete AFTER DELETE ON tickets BEGIN
    INSERT INTO report_chunks (day, version) VALUES (OLD.created_at / 86400000, 1)
    ON CONFLICT (day) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER survey_answers_report_insert AFTER INSERT ON survey_answers WHEN NEW.ticket_id IS NOT NULL BEGIN
    INSERT INTO report_chunks (day, version)
    SELECT created_at / 86400000, 1 FROM tickets WHERE id = NEW.ticket_id
    ON CONFLICT (day) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER survey_answers_report_update AFTER UPDATE ON survey_answers BEGIN
    INSERT INTO report_chunks (day, version)
    SELECT created_at / 86400000, 1 FROM tickets WHERE id IN (OLD.ticket_id, NEW.ticket_id)
    ON CONFLICT (day) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER survey_answers_report_delete AFTER DELETE ON survey_answers WHEN OLD.ticket_id IS NOT NULL BEGIN
    INSERT INTO report_chunks (day, version)
    SELECT created_at / 86400000, 1 FROM tickets WHERE id = OLD.ticket_id
    ON CONFLICT (day) DO UPDATE SET version = version + 1;
END;

-- The change log's dictionary and triggers: `cargo run --example change-triggers -- --columns tickets`.
INSERT OR IGNORE INTO change_columns (tbl, code, name) VALUES
    (20, 1, 'number'),
    (20, 2, 'subject'),
    (20, 3, 'customer_id'),
    (20, 4, 'contact_id'),
    (20, 5, 'team_id'),
    (20, 6, 'stage_id'),
    (20, 7, 'priority'),
    (20, 8, 'severity'),
    (20, 9, 'category'),
    (20, 10, 'channel'),
    (20, 11, 'assignee_id'),
    (20, 12, 'tags'),
    (20, 13, 'deal_id'),
    (20, 14, 'purchase_id'),
    (20, 15, 'interaction_id'),
    (20, 16, 'sla_id'),
    (20, 17, 'first_response_due'),
    (20, 18, 'next_response_due'),
    (20, 19, 'resolution_due'),
    (20, 20, 'paused_at'),
    (20, 21, 'paused_ms'),
    (20, 22, 'paused_work_ms'),
    (20, 23, 'first_response_at'),
    (20, 24, 'first_response_ms'),
    (20, 25, 'first_response_work_ms'),
    (20, 26, 'first_response_breached_at'),
    (20, 27, 'next_response_breached_at'),
    (20, 28, 'resolution_breached_at'),
    (20, 29, 'solved_at'),
    (20, 30, 'resolution_ms'),
    (20, 31, 'resolution_work_ms'),
    (20, 32, 'closed_at'),
    (20, 33, 'reopened'),
    (20, 34, 'last_customer_at'),
    (20, 35, 'merged_into'),
    (20, 36, 'created_at'),
    (20, 37, 'deleted_at'),
    (20, 38, 'replies'),
    (20, 39, 'first_solved_at'),
    (20, 40, 'reopened_at'),
    (20, 41, 'stage_at'),
    (20, 42, 'handling_ms'),
    (20, 43, 'handling_work_ms');

DROP TRIGGER tickets_changes_insert;
CREATE TRIGGER tickets_changes_insert AFTER INSERT ON tickets BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 20, NEW.id, 0, jsonb_array(NEW.number, NEW.subject, NEW.customer_id, NEW.contact_id, NEW.team_id, NEW.stage_id, NEW.priority, NEW.severity, NEW.category, NEW.channel, NEW.assignee_id, NEW.tags, NEW.deal_id, NEW.purchase_id, NEW.interaction_id, NEW.sla_id, NEW.first_response_due, NEW.next_response_due, NEW.resolution_due, NEW.paused_at, NEW.paused_ms, NEW.paused_work_ms, NEW.first_response_at, NEW.first_response_ms, NEW.first_response_work_ms, NEW.first_response_breached_at, NEW.next_response_breached_at, NEW.resolution_breached_at, NEW.solved_at, NEW.resolution_ms, NEW.resolution_work_ms, NEW.closed_at, NEW.reopened, NEW.last_customer_at, NEW.merged_into, NEW.created_at, NEW.deleted_at, NEW.replies, NEW.first_solved_at, NEW.reopened_at, NEW.stage_at, NEW.handling_ms, NEW.handling_work_ms), NEW.customer_id FROM write_ctx w WHERE w.replay = 0;
END;

DROP TRIGGER tickets_changes_update;
CREATE TRIGGER tickets_changes_update AFTER UPDATE OF number, subject, customer_id, contact_id, team_id, stage_id, priority, severity, category, channel, assignee_id, tags, deal_id, purchase_id, interaction_id, sla_id, first_response_due, next_response_due, resolution_due, paused_at, paused_ms, paused_work_ms, first_response_at, first_response_ms, first_response_work_ms, first_response_breached_at, next_response_breached_at, resolution_breached_at, solved_at, resolution_ms, resolution_work_ms, closed_at, reopened, last_customer_at, merged_into, created_at, deleted_at, replies, first_solved_at, reopened_at, stage_at, handling_ms, handling_work_ms ON tickets BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 20, NEW.id, c.col, c.val, NEW.customer_id FROM write_ctx w, (
        SELECT 1 AS col, NEW.number AS val, NEW.number IS NOT OLD.number AS chg
        UNION ALL SELECT 2 AS col, NEW.subject AS val, NEW.subject IS NOT OLD.subject AS chg
        UNION ALL SELECT 3 AS col, NEW.customer_id AS val, NEW.customer_id IS NOT OLD.customer_id AS chg
        UNION ALL SELECT 4 AS col, NEW.contact_id AS val, NEW.contact_id IS NOT OLD.contact_id AS chg
        UNION ALL SELECT 5 AS col, NEW.team_id AS val, NEW.team_id IS NOT OLD.team_id AS chg
        UNION ALL SELECT 6 AS col, NEW.stage_id AS val, NEW.stage_id IS NOT OLD.stage_id AS chg
        UNION ALL SELECT 7 AS col, NEW.priority AS val, NEW.priority IS NOT OLD.priority AS chg
        UNION ALL SELECT 8 AS col, NEW.severity AS val, NEW.severity IS NOT OLD.severity AS chg
        UNION ALL SELECT 9 AS col, NEW.category AS val, NEW.category IS NOT OLD.category AS chg
        UNION ALL SELECT 10 AS col, NEW.channel AS val, NEW.channel IS NOT OLD.channel AS chg
        UNION ALL SELECT 11 AS col, NEW.assignee_id AS val, NEW.assignee_id IS NOT OLD.assignee_id AS chg
        UNION ALL SELECT 12 AS col, NEW.tags AS val, NEW.tags IS NOT OLD.tags AS chg
        UNION ALL SELECT 13 AS col, NEW.deal_id AS val, NEW.deal_id IS NOT OLD.deal_id AS chg
        UNION ALL SELECT 14 AS col, NEW.purchase_id AS val, NEW.purchase_id IS NOT OLD.purchase_id AS chg
        UNION ALL SELECT 15 AS col, NEW.interaction_id AS val, NEW.interaction_id IS NOT OLD.interaction_id AS chg
        UNION ALL SELECT 16 AS col, NEW.sla_id AS val, NEW.sla_id IS NOT OLD.sla_id AS chg
        UNION ALL SELECT 17 AS col, NEW.first_response_due AS val, NEW.first_response_due IS NOT OLD.first_response_due AS chg
        UNION ALL SELECT 18 AS col, NEW.next_response_due AS val, NEW.next_response_due IS NOT OLD.next_response_due AS chg
        UNION ALL SELECT 19 AS col, NEW.resolution_due AS val, NEW.resolution_due IS NOT OLD.resolution_due AS chg
        UNION ALL SELECT 20 AS col, NEW.paused_at AS val, NEW.paused_at IS NOT OLD.paused_at AS chg
        UNION ALL SELECT 21 AS col, NEW.paused_ms AS val, NEW.paused_ms IS NOT OLD.paused_ms AS chg
        UNION ALL SELECT 22 AS col, NEW.paused_work_ms AS val, NEW.paused_work_ms IS NOT OLD.paused_work_ms AS chg
        UNION ALL SELECT 23 AS col, NEW.first_response_at AS val, NEW.first_response_at IS NOT OLD.first_response_at AS chg
        UNION ALL SELECT 24 AS col, NEW.first_response_ms AS val, NEW.first_response_ms IS NOT OLD.first_response_ms AS chg
        UNION ALL SELECT 25 AS col, NEW.first_response_work_ms AS val, NEW.first_response_work_ms IS NOT OLD.first_response_work_ms AS chg
        UNION ALL SELECT 26 AS col, NEW.first_response_breached_at AS val, NEW.first_response_breached_at IS NOT OLD.first_response_breached_at AS chg
        UNION ALL SELECT 27 AS col, NEW.next_response_breached_at AS val, NEW.next_response_breached_at IS NOT OLD.next_response_breached_at AS chg
        UNION ALL SELECT 28 AS col, NEW.resolution_breached_at AS val, NEW.resolution_breached_at IS NOT OLD.resolution_breached_at AS chg
        UNION ALL SELECT 29 AS col, NEW.solved_at AS val, NEW.solved_at IS NOT OLD.solved_at AS chg
        UNION ALL SELECT 30 AS col, NEW.resolution_ms AS val, NEW.resolution_ms IS NOT OLD.resolution_ms AS chg
        UNION ALL SELECT 31 AS col, NEW.resolution_work_ms AS val, NEW.resolution_work_ms IS NOT OLD.resolution_work_ms AS chg
        UNION ALL SELECT 32 AS col, NEW.closed_at AS val, NEW.closed_at IS NOT OLD.closed_at AS chg
        UNION ALL SELECT 33 AS col, NEW.reopened AS val, NEW.reopened IS NOT OLD.reopened AS chg
        UNION ALL SELECT 34 AS col, NEW.last_customer_at AS val, NEW.last_customer_at IS NOT OLD.last_customer_at AS chg
        UNION ALL SELECT 35 AS col, NEW.merged_into AS val, NEW.merged_into IS NOT OLD.merged_into AS chg
        UNION ALL SELECT 36 AS col, NEW.created_at AS val, NEW.created_at IS NOT OLD.created_at AS chg
        UNION ALL SELECT 37 AS col, NEW.deleted_at AS val, NEW.deleted_at IS NOT OLD.deleted_at AS chg
        UNION ALL SELECT 38 AS col, NEW.replies AS val, NEW.replies IS NOT OLD.replies AS chg
        UNION ALL SELECT 39 AS col, NEW.first_solved_at AS val, NEW.first_solved_at IS NOT OLD.first_solved_at AS chg
        UNION ALL SELECT 40 AS col, NEW.reopened_at AS val, NEW.reopened_at IS NOT OLD.reopened_at AS chg
        UNION ALL SELECT 41 AS col, NEW.stage_at AS val, NEW.stage_at IS NOT OLD.stage_at AS chg
        UNION ALL SELECT 42 AS col, NEW.handling_ms AS val, NEW.handling_ms IS NOT OLD.handling_ms AS chg
        UNION ALL SELECT 43 AS col, NEW.handling_work_ms AS val, NEW.handling_work_ms IS NOT OLD.handling_work_ms AS chg
    ) c WHERE c.chg AND w.replay = 0;
END;

DROP TRIGGER tickets_changes_delete;
CREATE TRIGGER tickets_changes_delete AFTER DELETE ON tickets BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 20, OLD.id, -1, NULL, OLD.customer_id FROM write_ctx w WHERE w.replay = 0;
END;

