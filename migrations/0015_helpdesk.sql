-- The helpdesk (issue 25): teams with their members, stages, business calendar and SLA
-- policies; tickets with their thread, quality checklist ticks and links; canned responses,
-- automatic rules and survey answers. Every table is tracked (the table registry's codes 16-26),
-- so each has history and syncs like the rest.
--
-- A team's `calendar` is JSON (`calendar::CalendarSpec`: zone, working intervals per weekday,
-- its own days off, whether Vietnam's public holidays close it). A ticket's SLA is stored as its
-- deadlines (UTC ms, moved later by the time spent in a stage that pauses the clock), the instant
-- a pause began, and for each target the instant it was met and the instant it was breached (kept
-- when the ticket is solved later). Durations are kept twice: calendar (`_ms`) and working time
-- in the team's calendar (`_work_ms`), both without paused time; the reports read them.
-- A ticket's `number` is "<device tag>-<n>": n counts this device's tickets, the tag (three
-- letters and digits from the device id) keeps two devices from giving the same number.

CREATE TABLE teams (
    id            TEXT PRIMARY KEY NOT NULL,
    name          TEXT NOT NULL,
    calendar      TEXT NOT NULL,     -- JSON calendar::CalendarSpec
    lead_id       TEXT,              -- staff
    assignment    TEXT NOT NULL,     -- manual, round_robin, fewest_open
    max_open      INTEGER,           -- at most this many open tickets per member (automatic assignment)
    followup_days INTEGER,           -- a solved ticket's follow-up care task this many days later; NULL: none
    reopen_days   INTEGER,           -- a customer writing within this many days of the solve reopens it
    ack           TEXT,              -- JSON: the automatic acknowledgement (channels, template); NULL: off
    created_at    INTEGER NOT NULL,
    deleted_at    INTEGER,
    survey        TEXT               -- csat, nps or ces: sent when a ticket is solved; NULL: none
) STRICT;
CREATE INDEX teams_name ON teams(name) WHERE deleted_at IS NULL;

CREATE TABLE team_members (
    team_id    TEXT NOT NULL REFERENCES teams(id),
    staff_id   TEXT NOT NULL REFERENCES staff(id),
    hours      TEXT,                 -- JSON weekday -> intervals, the member's own; NULL: the team's
    leave      TEXT,                 -- JSON list of days off ("2027-03-01..2027-03-05")
    added_at   INTEGER NOT NULL,
    deleted_at INTEGER,              -- left the team
    PRIMARY KEY (team_id, staff_id)
) STRICT;
CREATE INDEX team_members_staff ON team_members(staff_id);

CREATE TABLE ticket_stages (
    id         TEXT PRIMARY KEY NOT NULL,
    team_id    TEXT NOT NULL REFERENCES teams(id),
    name       TEXT NOT NULL,
    position   INTEGER NOT NULL,
    solved     INTEGER NOT NULL,     -- 1: a ticket here counts as solved
    closed     INTEGER NOT NULL,     -- 1: and as closed
    pauses_sla INTEGER NOT NULL,     -- 1: the SLA clock stops while a ticket is here
    checklist  TEXT,                 -- JSON list of steps to tick before a ticket leaves the stage
    deleted_at INTEGER
) STRICT;
CREATE INDEX ticket_stages_team ON ticket_stages(team_id, position);

CREATE TABLE sla_policies (
    id                     TEXT PRIMARY KEY NOT NULL,
    team_id                TEXT NOT NULL REFERENCES teams(id),
    name                   TEXT NOT NULL,
    position               INTEGER NOT NULL,   -- first match wins
    match                  TEXT NOT NULL,      -- JSON: priority, category, channel, segment lists
    first_response_minutes INTEGER,
    next_response_minutes  INTEGER,
    resolution_minutes     INTEGER,
    calendar_time          INTEGER NOT NULL,   -- 1: calendar minutes; 0: working minutes
    warn_percent           INTEGER NOT NULL,   -- the assignee is reminded at this share of the time
    deleted_at             INTEGER
) STRICT;
CREATE INDEX sla_policies_team ON sla_policies(team_id, position);

CREATE TABLE tickets (
    id                          TEXT PRIMARY KEY NOT NULL,
    number                      TEXT NOT NULL,
    subject                     TEXT NOT NULL,
    customer_id                 TEXT NOT NULL REFERENCES customers(id),
    contact_id                  TEXT,
    team_id                     TEXT NOT NULL REFERENCES teams(id),
    stage_id                    TEXT NOT NULL REFERENCES ticket_stages(id),
    priority                    TEXT NOT NULL,  -- low, normal, high, urgent
    severity                    TEXT NOT NULL,  -- minor, major, critical
    category                    TEXT,
    channel                     TEXT NOT NULL,  -- phone, email, website, live_chat, facebook, zalo, in_person, other
    assignee_id                 TEXT,
    tags                        TEXT,           -- JSON list
    deal_id                     TEXT,
    purchase_id                 TEXT,           -- an interaction of kind purchase
    interaction_id              TEXT,           -- the interaction the ticket was made from
    sla_id                      TEXT,
    first_response_due          INTEGER,
    next_response_due           INTEGER,
    resolution_due              INTEGER,
    paused_at                   INTEGER,        -- in a stage that pauses the SLA since
    paused_ms                   INTEGER NOT NULL,
    paused_work_ms              INTEGER NOT NULL,
    first_response_at           INTEGER,
    first_response_ms           INTEGER,
    first_response_work_ms      INTEGER,
    first_response_breached_at  INTEGER,
    next_response_breached_at   INTEGER,
    resolution_breached_at      INTEGER,
    solved_at                   INTEGER,
    resolution_ms               INTEGER,
    resolution_work_ms          INTEGER,
    closed_at                   INTEGER,
    reopened                    INTEGER NOT NULL,
    last_customer_at            INTEGER,
    merged_into                 TEXT,
    created_at                  INTEGER NOT NULL,
    deleted_at                  INTEGER
) STRICT;
CREATE INDEX tickets_number ON tickets(number);
CREATE INDEX tickets_customer ON tickets(customer_id);
CREATE INDEX tickets_open ON tickets(team_id, stage_id, created_at) WHERE deleted_at IS NULL;
CREATE INDEX tickets_assignee ON tickets(assignee_id, solved_at) WHERE deleted_at IS NULL;
CREATE INDEX tickets_created ON tickets(created_at) WHERE deleted_at IS NULL;

CREATE TABLE ticket_messages (
    id          TEXT PRIMARY KEY NOT NULL,
    ticket_id   TEXT NOT NULL REFERENCES tickets(id),
    customer_id TEXT NOT NULL REFERENCES customers(id),
    kind        TEXT NOT NULL,      -- customer, reply, note, auto, event
    staff_id    TEXT,
    channel     TEXT,
    body        TEXT NOT NULL,
    attachments TEXT,               -- JSON list of {name, hash, size, mime}
    at          INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    deleted_at  INTEGER
) STRICT;
CREATE INDEX ticket_messages_ticket ON ticket_messages(ticket_id, at);
CREATE INDEX ticket_messages_customer ON ticket_messages(customer_id);

CREATE TABLE ticket_checks (
    id        TEXT PRIMARY KEY NOT NULL,  -- derived from ticket, stage and step
    ticket_id TEXT NOT NULL REFERENCES tickets(id),
    stage_id  TEXT NOT NULL,
    item      TEXT NOT NULL,
    done      INTEGER NOT NULL,
    by_id     TEXT,
    at        INTEGER NOT NULL
) STRICT;
CREATE INDEX ticket_checks_ticket ON ticket_checks(ticket_id, stage_id);

CREATE TABLE ticket_links (
    ticket_id  TEXT NOT NULL REFERENCES tickets(id),
    other_id   TEXT NOT NULL REFERENCES tickets(id),
    created_at INTEGER NOT NULL,
    deleted_at INTEGER,
    PRIMARY KEY (ticket_id, other_id)
) STRICT;
CREATE INDEX ticket_links_other ON ticket_links(other_id);

CREATE TABLE canned_responses (
    id         TEXT PRIMARY KEY NOT NULL,
    name       TEXT NOT NULL,
    body       TEXT NOT NULL,
    team_id    TEXT REFERENCES teams(id),   -- NULL: every team
    staff_id   TEXT,                        -- a personal response: only its owner sees it
    created_at INTEGER NOT NULL,
    deleted_at INTEGER
) STRICT;

CREATE TABLE ticket_rules (
    id         TEXT PRIMARY KEY NOT NULL,
    name       TEXT NOT NULL,
    position   INTEGER NOT NULL,
    conditions TEXT NOT NULL,   -- JSON
    actions    TEXT NOT NULL,   -- JSON
    enabled    INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    deleted_at INTEGER
) STRICT;

CREATE TABLE survey_answers (
    id          TEXT PRIMARY KEY NOT NULL,
    ticket_id   TEXT REFERENCES tickets(id),
    customer_id TEXT NOT NULL REFERENCES customers(id),
    kind        TEXT NOT NULL,      -- csat (1-5), nps (0-10), ces (1-7)
    score       INTEGER,            -- NULL: sent, not answered yet
    comment     TEXT,
    sent_at     INTEGER,
    answered_at INTEGER,
    staff_id    TEXT,               -- who recorded it
    source      TEXT NOT NULL,      -- phone, import, care, link
    created_at  INTEGER NOT NULL,
    deleted_at  INTEGER
) STRICT;
CREATE INDEX survey_answers_ticket ON survey_answers(ticket_id);
CREATE INDEX survey_answers_customer ON survey_answers(customer_id, answered_at);

-- The change log's dictionary and triggers: `cargo run --example change-triggers -- teams ...`.
INSERT INTO change_tables (code, name) VALUES
    (16, 'teams');
INSERT INTO change_columns (tbl, code, name) VALUES
    (16, 1, 'name'),
    (16, 2, 'calendar'),
    (16, 3, 'lead_id'),
    (16, 4, 'assignment'),
    (16, 5, 'max_open'),
    (16, 6, 'followup_days'),
    (16, 7, 'reopen_days'),
    (16, 8, 'ack'),
    (16, 9, 'created_at'),
    (16, 10, 'deleted_at'),
    (16, 11, 'survey');

CREATE TRIGGER teams_changes_insert AFTER INSERT ON teams BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 16, NEW.id, 0, jsonb_array(NEW.name, NEW.calendar, NEW.lead_id, NEW.assignment, NEW.max_open, NEW.followup_days, NEW.reopen_days, NEW.ack, NEW.created_at, NEW.deleted_at, NEW.survey), NULL FROM write_ctx w WHERE w.replay = 0;
END;

CREATE TRIGGER teams_changes_update AFTER UPDATE OF name, calendar, lead_id, assignment, max_open, followup_days, reopen_days, ack, created_at, deleted_at, survey ON teams BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 16, NEW.id, c.col, c.val, NULL FROM write_ctx w, (
        SELECT 1 AS col, NEW.name AS val, NEW.name IS NOT OLD.name AS chg
        UNION ALL SELECT 2 AS col, NEW.calendar AS val, NEW.calendar IS NOT OLD.calendar AS chg
        UNION ALL SELECT 3 AS col, NEW.lead_id AS val, NEW.lead_id IS NOT OLD.lead_id AS chg
        UNION ALL SELECT 4 AS col, NEW.assignment AS val, NEW.assignment IS NOT OLD.assignment AS chg
        UNION ALL SELECT 5 AS col, NEW.max_open AS val, NEW.max_open IS NOT OLD.max_open AS chg
        UNION ALL SELECT 6 AS col, NEW.followup_days AS val, NEW.followup_days IS NOT OLD.followup_days AS chg
        UNION ALL SELECT 7 AS col, NEW.reopen_days AS val, NEW.reopen_days IS NOT OLD.reopen_days AS chg
        UNION ALL SELECT 8 AS col, NEW.ack AS val, NEW.ack IS NOT OLD.ack AS chg
        UNION ALL SELECT 9 AS col, NEW.created_at AS val, NEW.created_at IS NOT OLD.created_at AS chg
        UNION ALL SELECT 10 AS col, NEW.deleted_at AS val, NEW.deleted_at IS NOT OLD.deleted_at AS chg
        UNION ALL SELECT 11 AS col, NEW.survey AS val, NEW.survey IS NOT OLD.survey AS chg
    ) c WHERE c.chg AND w.replay = 0;
END;

CREATE TRIGGER teams_changes_delete AFTER DELETE ON teams BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 16, OLD.id, -1, NULL, NULL FROM write_ctx w WHERE w.replay = 0;
END;

INSERT INTO change_tables (code, name) VALUES
    (17, 'team_members');
INSERT INTO change_columns (tbl, code, name) VALUES
    (17, 1, 'hours'),
    (17, 2, 'leave'),
    (17, 3, 'added_at'),
    (17, 4, 'deleted_at');

CREATE TRIGGER team_members_changes_insert AFTER INSERT ON team_members BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 17, NEW.team_id || '/' || NEW.staff_id, 0, jsonb_array(NEW.hours, NEW.leave, NEW.added_at, NEW.deleted_at), NULL FROM write_ctx w WHERE w.replay = 0;
END;

CREATE TRIGGER team_members_changes_update AFTER UPDATE OF hours, leave, added_at, deleted_at ON team_members BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 17, NEW.team_id || '/' || NEW.staff_id, c.col, c.val, NULL FROM write_ctx w, (
        SELECT 1 AS col, NEW.hours AS val, NEW.hours IS NOT OLD.hours AS chg
        UNION ALL SELECT 2 AS col, NEW.leave AS val, NEW.leave IS NOT OLD.leave AS chg
        UNION ALL SELECT 3 AS col, NEW.added_at AS val, NEW.added_at IS NOT OLD.added_at AS chg
        UNION ALL SELECT 4 AS col, NEW.deleted_at AS val, NEW.deleted_at IS NOT OLD.deleted_at AS chg
    ) c WHERE c.chg AND w.replay = 0;
END;

CREATE TRIGGER team_members_changes_delete AFTER DELETE ON team_members BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 17, OLD.team_id || '/' || OLD.staff_id, -1, NULL, NULL FROM write_ctx w WHERE w.replay = 0;
END;

INSERT INTO change_tables (code, name) VALUES
    (18, 'ticket_stages');
INSERT INTO change_columns (tbl, code, name) VALUES
    (18, 1, 'team_id'),
    (18, 2, 'name'),
    (18, 3, 'position'),
    (18, 4, 'solved'),
    (18, 5, 'closed'),
    (18, 6, 'pauses_sla'),
    (18, 7, 'checklist'),
    (18, 8, 'deleted_at');

CREATE TRIGGER ticket_stages_changes_insert AFTER INSERT ON ticket_stages BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 18, NEW.id, 0, jsonb_array(NEW.team_id, NEW.name, NEW.position, NEW.solved, NEW.closed, NEW.pauses_sla, NEW.checklist, NEW.deleted_at), NULL FROM write_ctx w WHERE w.replay = 0;
END;

CREATE TRIGGER ticket_stages_changes_update AFTER UPDATE OF team_id, name, position, solved, closed, pauses_sla, checklist, deleted_at ON ticket_stages BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 18, NEW.id, c.col, c.val, NULL FROM write_ctx w, (
        SELECT 1 AS col, NEW.team_id AS val, NEW.team_id IS NOT OLD.team_id AS chg
        UNION ALL SELECT 2 AS col, NEW.name AS val, NEW.name IS NOT OLD.name AS chg
        UNION ALL SELECT 3 AS col, NEW.position AS val, NEW.position IS NOT OLD.position AS chg
        UNION ALL SELECT 4 AS col, NEW.solved AS val, NEW.solved IS NOT OLD.solved AS chg
        UNION ALL SELECT 5 AS col, NEW.closed AS val, NEW.closed IS NOT OLD.closed AS chg
        UNION ALL SELECT 6 AS col, NEW.pauses_sla AS val, NEW.pauses_sla IS NOT OLD.pauses_sla AS chg
        UNION ALL SELECT 7 AS col, NEW.checklist AS val, NEW.checklist IS NOT OLD.checklist AS chg
        UNION ALL SELECT 8 AS col, NEW.deleted_at AS val, NEW.deleted_at IS NOT OLD.deleted_at AS chg
    ) c WHERE c.chg AND w.replay = 0;
END;

CREATE TRIGGER ticket_stages_changes_delete AFTER DELETE ON ticket_stages BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 18, OLD.id, -1, NULL, NULL FROM write_ctx w WHERE w.replay = 0;
END;

INSERT INTO change_tables (code, name) VALUES
    (19, 'sla_policies');
INSERT INTO change_columns (tbl, code, name) VALUES
    (19, 1, 'team_id'),
    (19, 2, 'name'),
    (19, 3, 'position'),
    (19, 4, 'match'),
    (19, 5, 'first_response_minutes'),
    (19, 6, 'next_response_minutes'),
    (19, 7, 'resolution_minutes'),
    (19, 8, 'calendar_time'),
    (19, 9, 'warn_percent'),
    (19, 10, 'deleted_at');

CREATE TRIGGER sla_policies_changes_insert AFTER INSERT ON sla_policies BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 19, NEW.id, 0, jsonb_array(NEW.team_id, NEW.name, NEW.position, NEW.match, NEW.first_response_minutes, NEW.next_response_minutes, NEW.resolution_minutes, NEW.calendar_time, NEW.warn_percent, NEW.deleted_at), NULL FROM write_ctx w WHERE w.replay = 0;
END;

CREATE TRIGGER sla_policies_changes_update AFTER UPDATE OF team_id, name, position, match, first_response_minutes, next_response_minutes, resolution_minutes, calendar_time, warn_percent, deleted_at ON sla_policies BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 19, NEW.id, c.col, c.val, NULL FROM write_ctx w, (
        SELECT 1 AS col, NEW.team_id AS val, NEW.team_id IS NOT OLD.team_id AS chg
        UNION ALL SELECT 2 AS col, NEW.name AS val, NEW.name IS NOT OLD.name AS chg
        UNION ALL SELECT 3 AS col, NEW.position AS val, NEW.position IS NOT OLD.position AS chg
        UNION ALL SELECT 4 AS col, NEW.match AS val, NEW.match IS NOT OLD.match AS chg
        UNION ALL SELECT 5 AS col, NEW.first_response_minutes AS val, NEW.first_response_minutes IS NOT OLD.first_response_minutes AS chg
        UNION ALL SELECT 6 AS col, NEW.next_response_minutes AS val, NEW.next_response_minutes IS NOT OLD.next_response_minutes AS chg
        UNION ALL SELECT 7 AS col, NEW.resolution_minutes AS val, NEW.resolution_minutes IS NOT OLD.resolution_minutes AS chg
        UNION ALL SELECT 8 AS col, NEW.calendar_time AS val, NEW.calendar_time IS NOT OLD.calendar_time AS chg
        UNION ALL SELECT 9 AS col, NEW.warn_percent AS val, NEW.warn_percent IS NOT OLD.warn_percent AS chg
        UNION ALL SELECT 10 AS col, NEW.deleted_at AS val, NEW.deleted_at IS NOT OLD.deleted_at AS chg
    ) c WHERE c.chg AND w.replay = 0;
END;

CREATE TRIGGER sla_policies_changes_delete AFTER DELETE ON sla_policies BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 19, OLD.id, -1, NULL, NULL FROM write_ctx w WHERE w.replay = 0;
END;

INSERT INTO change_tables (code, name) VALUES
    (20, 'tickets');
INSERT INTO change_columns (tbl, code, name) VALUES
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
    (20, 37, 'deleted_at');

CREATE TRIGGER tickets_changes_insert AFTER INSERT ON tickets BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 20, NEW.id, 0, jsonb_array(NEW.number, NEW.subject, NEW.customer_id, NEW.contact_id, NEW.team_id, NEW.stage_id, NEW.priority, NEW.severity, NEW.category, NEW.channel, NEW.assignee_id, NEW.tags, NEW.deal_id, NEW.purchase_id, NEW.interaction_id, NEW.sla_id, NEW.first_response_due, NEW.next_response_due, NEW.resolution_due, NEW.paused_at, NEW.paused_ms, NEW.paused_work_ms, NEW.first_response_at, NEW.first_response_ms, NEW.first_response_work_ms, NEW.first_response_breached_at, NEW.next_response_breached_at, NEW.resolution_breached_at, NEW.solved_at, NEW.resolution_ms, NEW.resolution_work_ms, NEW.closed_at, NEW.reopened, NEW.last_customer_at, NEW.merged_into, NEW.created_at, NEW.deleted_at), NEW.customer_id FROM write_ctx w WHERE w.replay = 0;
END;

CREATE TRIGGER tickets_changes_update AFTER UPDATE OF number, subject, customer_id, contact_id, team_id, stage_id, priority, severity, category, channel, assignee_id, tags, deal_id, purchase_id, interaction_id, sla_id, first_response_due, next_response_due, resolution_due, paused_at, paused_ms, paused_work_ms, first_response_at, first_response_ms, first_response_work_ms, first_response_breached_at, next_response_breached_at, resolution_breached_at, solved_at, resolution_ms, resolution_work_ms, closed_at, reopened, last_customer_at, merged_into, created_at, deleted_at ON tickets BEGIN
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
    ) c WHERE c.chg AND w.replay = 0;
END;

CREATE TRIGGER tickets_changes_delete AFTER DELETE ON tickets BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 20, OLD.id, -1, NULL, OLD.customer_id FROM write_ctx w WHERE w.replay = 0;
END;

INSERT INTO change_tables (code, name) VALUES
    (21, 'ticket_messages');
INSERT INTO change_columns (tbl, code, name) VALUES
    (21, 1, 'ticket_id'),
    (21, 2, 'customer_id'),
    (21, 3, 'kind'),
    (21, 4, 'staff_id'),
    (21, 5, 'channel'),
    (21, 6, 'body'),
    (21, 7, 'attachments'),
    (21, 8, 'at'),
    (21, 9, 'created_at'),
    (21, 10, 'deleted_at');

CREATE TRIGGER ticket_messages_changes_insert AFTER INSERT ON ticket_messages BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 21, NEW.id, 0, jsonb_array(NEW.ticket_id, NEW.customer_id, NEW.kind, NEW.staff_id, NEW.channel, NEW.body, NEW.attachments, NEW.at, NEW.created_at, NEW.deleted_at), NEW.customer_id FROM write_ctx w WHERE w.replay = 0;
END;

CREATE TRIGGER ticket_messages_changes_update AFTER UPDATE OF ticket_id, customer_id, kind, staff_id, channel, body, attachments, at, created_at, deleted_at ON ticket_messages BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 21, NEW.id, c.col, c.val, NEW.customer_id FROM write_ctx w, (
        SELECT 1 AS col, NEW.ticket_id AS val, NEW.ticket_id IS NOT OLD.ticket_id AS chg
        UNION ALL SELECT 2 AS col, NEW.customer_id AS val, NEW.customer_id IS NOT OLD.customer_id AS chg
        UNION ALL SELECT 3 AS col, NEW.kind AS val, NEW.kind IS NOT OLD.kind AS chg
        UNION ALL SELECT 4 AS col, NEW.staff_id AS val, NEW.staff_id IS NOT OLD.staff_id AS chg
        UNION ALL SELECT 5 AS col, NEW.channel AS val, NEW.channel IS NOT OLD.channel AS chg
        UNION ALL SELECT 6 AS col, NEW.body AS val, NEW.body IS NOT OLD.body AS chg
        UNION ALL SELECT 7 AS col, NEW.attachments AS val, NEW.attachments IS NOT OLD.attachments AS chg
        UNION ALL SELECT 8 AS col, NEW.at AS val, NEW.at IS NOT OLD.at AS chg
        UNION ALL SELECT 9 AS col, NEW.created_at AS val, NEW.created_at IS NOT OLD.created_at AS chg
        UNION ALL SELECT 10 AS col, NEW.deleted_at AS val, NEW.deleted_at IS NOT OLD.deleted_at AS chg
    ) c WHERE c.chg AND w.replay = 0;
END;

CREATE TRIGGER ticket_messages_changes_delete AFTER DELETE ON ticket_messages BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 21, OLD.id, -1, NULL, OLD.customer_id FROM write_ctx w WHERE w.replay = 0;
END;

INSERT INTO change_tables (code, name) VALUES
    (22, 'ticket_checks');
INSERT INTO change_columns (tbl, code, name) VALUES
    (22, 1, 'ticket_id'),
    (22, 2, 'stage_id'),
    (22, 3, 'item'),
    (22, 4, 'done'),
    (22, 5, 'by_id'),
    (22, 6, 'at');

CREATE TRIGGER ticket_checks_changes_insert AFTER INSERT ON ticket_checks BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 22, NEW.id, 0, jsonb_array(NEW.ticket_id, NEW.stage_id, NEW.item, NEW.done, NEW.by_id, NEW.at), NULL FROM write_ctx w WHERE w.replay = 0;
END;

CREATE TRIGGER ticket_checks_changes_update AFTER UPDATE OF ticket_id, stage_id, item, done, by_id, at ON ticket_checks BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 22, NEW.id, c.col, c.val, NULL FROM write_ctx w, (
        SELECT 1 AS col, NEW.ticket_id AS val, NEW.ticket_id IS NOT OLD.ticket_id AS chg
        UNION ALL SELECT 2 AS col, NEW.stage_id AS val, NEW.stage_id IS NOT OLD.stage_id AS chg
        UNION ALL SELECT 3 AS col, NEW.item AS val, NEW.item IS NOT OLD.item AS chg
        UNION ALL SELECT 4 AS col, NEW.done AS val, NEW.done IS NOT OLD.done AS chg
        UNION ALL SELECT 5 AS col, NEW.by_id AS val, NEW.by_id IS NOT OLD.by_id AS chg
        UNION ALL SELECT 6 AS col, NEW.at AS val, NEW.at IS NOT OLD.at AS chg
    ) c WHERE c.chg AND w.replay = 0;
END;

CREATE TRIGGER ticket_checks_changes_delete AFTER DELETE ON ticket_checks BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 22, OLD.id, -1, NULL, NULL FROM write_ctx w WHERE w.replay = 0;
END;

INSERT INTO change_tables (code, name) VALUES
    (23, 'ticket_links');
INSERT INTO change_columns (tbl, code, name) VALUES
    (23, 1, 'created_at'),
    (23, 2, 'deleted_at');

CREATE TRIGGER ticket_links_changes_insert AFTER INSERT ON ticket_links BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 23, NEW.ticket_id || '/' || NEW.other_id, 0, jsonb_array(NEW.created_at, NEW.deleted_at), NULL FROM write_ctx w WHERE w.replay = 0;
END;

CREATE TRIGGER ticket_links_changes_update AFTER UPDATE OF created_at, deleted_at ON ticket_links BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 23, NEW.ticket_id || '/' || NEW.other_id, c.col, c.val, NULL FROM write_ctx w, (
        SELECT 1 AS col, NEW.created_at AS val, NEW.created_at IS NOT OLD.created_at AS chg
        UNION ALL SELECT 2 AS col, NEW.deleted_at AS val, NEW.deleted_at IS NOT OLD.deleted_at AS chg
    ) c WHERE c.chg AND w.replay = 0;
END;

CREATE TRIGGER ticket_links_changes_delete AFTER DELETE ON ticket_links BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 23, OLD.ticket_id || '/' || OLD.other_id, -1, NULL, NULL FROM write_ctx w WHERE w.replay = 0;
END;

INSERT INTO change_tables (code, name) VALUES
    (24, 'canned_responses');
INSERT INTO change_columns (tbl, code, name) VALUES
    (24, 1, 'name'),
    (24, 2, 'body'),
    (24, 3, 'team_id'),
    (24, 4, 'staff_id'),
    (24, 5, 'created_at'),
    (24, 6, 'deleted_at');

CREATE TRIGGER canned_responses_changes_insert AFTER INSERT ON canned_responses BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 24, NEW.id, 0, jsonb_array(NEW.name, NEW.body, NEW.team_id, NEW.staff_id, NEW.created_at, NEW.deleted_at), NULL FROM write_ctx w WHERE w.replay = 0;
END;

CREATE TRIGGER canned_responses_changes_update AFTER UPDATE OF name, body, team_id, staff_id, created_at, deleted_at ON canned_responses BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 24, NEW.id, c.col, c.val, NULL FROM write_ctx w, (
        SELECT 1 AS col, NEW.name AS val, NEW.name IS NOT OLD.name AS chg
        UNION ALL SELECT 2 AS col, NEW.body AS val, NEW.body IS NOT OLD.body AS chg
        UNION ALL SELECT 3 AS col, NEW.team_id AS val, NEW.team_id IS NOT OLD.team_id AS chg
        UNION ALL SELECT 4 AS col, NEW.staff_id AS val, NEW.staff_id IS NOT OLD.staff_id AS chg
        UNION ALL SELECT 5 AS col, NEW.created_at AS val, NEW.created_at IS NOT OLD.created_at AS chg
        UNION ALL SELECT 6 AS col, NEW.deleted_at AS val, NEW.deleted_at IS NOT OLD.deleted_at AS chg
    ) c WHERE c.chg AND w.replay = 0;
END;

CREATE TRIGGER canned_responses_changes_delete AFTER DELETE ON canned_responses BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 24, OLD.id, -1, NULL, NULL FROM write_ctx w WHERE w.replay = 0;
END;

INSERT INTO change_tables (code, name) VALUES
    (25, 'ticket_rules');
INSERT INTO change_columns (tbl, code, name) VALUES
    (25, 1, 'name'),
    (25, 2, 'position'),
    (25, 3, 'conditions'),
    (25, 4, 'actions'),
    (25, 5, 'enabled'),
    (25, 6, 'created_at'),
    (25, 7, 'deleted_at');

CREATE TRIGGER ticket_rules_changes_insert AFTER INSERT ON ticket_rules BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 25, NEW.id, 0, jsonb_array(NEW.name, NEW.position, NEW.conditions, NEW.actions, NEW.enabled, NEW.created_at, NEW.deleted_at), NULL FROM write_ctx w WHERE w.replay = 0;
END;

CREATE TRIGGER ticket_rules_changes_update AFTER UPDATE OF name, position, conditions, actions, enabled, created_at, deleted_at ON ticket_rules BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 25, NEW.id, c.col, c.val, NULL FROM write_ctx w, (
        SELECT 1 AS col, NEW.name AS val, NEW.name IS NOT OLD.name AS chg
        UNION ALL SELECT 2 AS col, NEW.position AS val, NEW.position IS NOT OLD.position AS chg
        UNION ALL SELECT 3 AS col, NEW.conditions AS val, NEW.conditions IS NOT OLD.conditions AS chg
        UNION ALL SELECT 4 AS col, NEW.actions AS val, NEW.actions IS NOT OLD.actions AS chg
        UNION ALL SELECT 5 AS col, NEW.enabled AS val, NEW.enabled IS NOT OLD.enabled AS chg
        UNION ALL SELECT 6 AS col, NEW.created_at AS val, NEW.created_at IS NOT OLD.created_at AS chg
        UNION ALL SELECT 7 AS col, NEW.deleted_at AS val, NEW.deleted_at IS NOT OLD.deleted_at AS chg
    ) c WHERE c.chg AND w.replay = 0;
END;

CREATE TRIGGER ticket_rules_changes_delete AFTER DELETE ON ticket_rules BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 25, OLD.id, -1, NULL, NULL FROM write_ctx w WHERE w.replay = 0;
END;

INSERT INTO change_tables (code, name) VALUES
    (26, 'survey_answers');
INSERT INTO change_columns (tbl, code, name) VALUES
    (26, 1, 'ticket_id'),
    (26, 2, 'customer_id'),
    (26, 3, 'kind'),
    (26, 4, 'score'),
    (26, 5, 'comment'),
    (26, 6, 'sent_at'),
    (26, 7, 'answered_at'),
    (26, 8, 'staff_id'),
    (26, 9, 'source'),
    (26, 10, 'created_at'),
    (26, 11, 'deleted_at');

CREATE TRIGGER survey_answers_changes_insert AFTER INSERT ON survey_answers BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 26, NEW.id, 0, jsonb_array(NEW.ticket_id, NEW.customer_id, NEW.kind, NEW.score, NEW.comment, NEW.sent_at, NEW.answered_at, NEW.staff_id, NEW.source, NEW.created_at, NEW.deleted_at), NEW.customer_id FROM write_ctx w WHERE w.replay = 0;
END;

CREATE TRIGGER survey_answers_changes_update AFTER UPDATE OF ticket_id, customer_id, kind, score, comment, sent_at, answered_at, staff_id, source, created_at, deleted_at ON survey_answers BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 26, NEW.id, c.col, c.val, NEW.customer_id FROM write_ctx w, (
        SELECT 1 AS col, NEW.ticket_id AS val, NEW.ticket_id IS NOT OLD.ticket_id AS chg
        UNION ALL SELECT 2 AS col, NEW.customer_id AS val, NEW.customer_id IS NOT OLD.customer_id AS chg
        UNION ALL SELECT 3 AS col, NEW.kind AS val, NEW.kind IS NOT OLD.kind AS chg
        UNION ALL SELECT 4 AS col, NEW.score AS val, NEW.score IS NOT OLD.score AS chg
        UNION ALL SELECT 5 AS col, NEW.comment AS val, NEW.comment IS NOT OLD.comment AS chg
        UNION ALL SELECT 6 AS col, NEW.sent_at AS val, NEW.sent_at IS NOT OLD.sent_at AS chg
        UNION ALL SELECT 7 AS col, NEW.answered_at AS val, NEW.answered_at IS NOT OLD.answered_at AS chg
        UNION ALL SELECT 8 AS col, NEW.staff_id AS val, NEW.staff_id IS NOT OLD.staff_id AS chg
        UNION ALL SELECT 9 AS col, NEW.source AS val, NEW.source IS NOT OLD.source AS chg
        UNION ALL SELECT 10 AS col, NEW.created_at AS val, NEW.created_at IS NOT OLD.created_at AS chg
        UNION ALL SELECT 11 AS col, NEW.deleted_at AS val, NEW.deleted_at IS NOT OLD.deleted_at AS chg
    ) c WHERE c.chg AND w.replay = 0;
END;

CREATE TRIGGER survey_answers_changes_delete AFTER DELETE ON survey_answers BEGIN
    SELECT RAISE(ABORT, 'tend: write outside a change context') WHERE NOT EXISTS (SELECT 1 FROM write_ctx);
    INSERT INTO changes (tx, tbl, row_id, col, value, entity)
    SELECT w.tx, 26, OLD.id, -1, NULL, OLD.customer_id FROM write_ctx w WHERE w.replay = 0;
END;

