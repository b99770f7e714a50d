-- A ticket's thread includes the threads of the tickets merged into it: found by this index.
CREATE INDEX tickets_merged_into ON tickets(merged_into) WHERE merged_into IS NOT NULL;

-- The ticket list's open views, ordered by the nearest running deadline (the expression is the
-- one `tickets::ticket` orders by, word for word): all open tickets, a team's (with a priority),
-- a person's. Each holds only open tickets, so its count is read from the index alone. The old
-- index on (assignee_id, solved_at) led the planner astray: it took solved_at = NULL for two rows.
DROP INDEX tickets_assignee;
CREATE INDEX tickets_assignee ON tickets(assignee_id) WHERE deleted_at IS NULL;
CREATE INDEX tickets_open_due ON tickets(
    MIN(COALESCE(CASE WHEN first_response_at IS NULL THEN first_response_due END, 9e18),
        COALESCE(next_response_due, 9e18), COALESCE(CASE WHEN solved_at IS NULL THEN resolution_due END, 9e18)),
    created_at DESC, id)
    WHERE deleted_at IS NULL AND merged_into IS NULL AND solved_at IS NULL AND closed_at IS NULL;
CREATE INDEX tickets_open_team ON tickets(team_id, priority,
    MIN(COALESCE(CASE WHEN first_response_at IS NULL THEN first_response_due END, 9e18),
        COALESCE(next_response_due, 9e18), COALESCE(CASE WHEN solved_at IS NULL THEN resolution_due END, 9e18)),
    created_at DESC, id)
    WHERE deleted_at IS NULL AND merged_into IS NULL AND solved_at IS NULL AND closed_at IS NULL;
CREATE INDEX tickets_open_assignee ON tickets(assignee_id,
    MIN(COALESCE(CASE WHEN first_response_at IS NULL THEN first_response_due END, 9e18),
        COALESCE(next_response_due, 9e18), COALESCE(CASE WHEN solved_at IS NULL THEN resolution_due END, 9e18)),
    created_at DESC, id)
    WHERE deleted_at IS NULL AND merged_into IS NULL AND solved_at IS NULL AND closed_at IS NULL;
