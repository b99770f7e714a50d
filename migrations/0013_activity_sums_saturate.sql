-- Purchase totals never fail a write: an interaction written through the checked path is at most
-- 10^15 minor units (validate::MAX_MONEY), but one synced from elsewhere, or enough of them, could
-- make the sum leave the 64-bit range, and SQLite's SUM then fails the whole transaction (an
-- integer overflow) while `+` turns the total into a REAL the STRICT column refuses. The sums
-- saturate at the ends of the range instead (TOTAL is exact below 2^53, far past any shop).

DROP TRIGGER interactions_activity_insert;
DROP TRIGGER interactions_activity_update;
DROP TRIGGER interactions_activity_delete;

CREATE TRIGGER interactions_activity_insert AFTER INSERT ON interactions WHEN NEW.deleted_at IS NULL BEGIN
    INSERT INTO customer_activity (customer_id, purchase_count, purchase_total, last_purchase_at, last_interaction_at)
    VALUES (NEW.customer_id,
            NEW.kind = 'purchase',
            CASE WHEN NEW.kind = 'purchase' AND COALESCE(NEW.currency, 'VND') = 'VND' THEN COALESCE(NEW.amount, 0) ELSE 0 END,
            CASE WHEN NEW.kind = 'purchase' THEN NEW.occurred_at END,
            NEW.occurred_at)
    ON CONFLICT (customer_id) DO UPDATE SET
        purchase_count = purchase_count + excluded.purchase_count,
        purchase_total = CASE
            WHEN excluded.purchase_total > 0 AND purchase_total > 9223372036854775807 - excluded.purchase_total
                THEN 9223372036854775807
            WHEN excluded.purchase_total < 0 AND purchase_total < -9223372036854775807 - excluded.purchase_total
                THEN -9223372036854775807
            ELSE purchase_total + excluded.purchase_total END,
        last_purchase_at = MAX(COALESCE(last_purchase_at, excluded.last_purchase_at),
                               COALESCE(excluded.last_purchase_at, last_purchase_at)),
        last_interaction_at = MAX(last_interaction_at, excluded.last_interaction_at);
END;

CREATE TRIGGER interactions_activity_update AFTER UPDATE OF customer_id, kind, occurred_at, amount, currency, deleted_at ON interactions BEGIN
    DELETE FROM customer_activity WHERE customer_id IN (OLD.customer_id, NEW.customer_id);
    INSERT INTO customer_activity
    SELECT customer_id, COUNT(*) FILTER (WHERE kind = 'purchase'),
           CAST(MAX(MIN(TOTAL(amount) FILTER (WHERE kind = 'purchase' AND COALESCE(currency, 'VND') = 'VND'),
                        9.2e18), -9.2e18) AS INTEGER),
           MAX(occurred_at) FILTER (WHERE kind = 'purchase'), MAX(occurred_at)
    FROM interactions WHERE customer_id IN (OLD.customer_id, NEW.customer_id) AND deleted_at IS NULL
    GROUP BY customer_id;
END;

CREATE TRIGGER interactions_activity_delete AFTER DELETE ON interactions BEGIN
    DELETE FROM customer_activity WHERE customer_id = OLD.customer_id;
    INSERT INTO customer_activity
    SELECT customer_id, COUNT(*) FILTER (WHERE kind = 'purchase'),
           CAST(MAX(MIN(TOTAL(amount) FILTER (WHERE kind = 'purchase' AND COALESCE(currency, 'VND') = 'VND'),
                        9.2e18), -9.2e18) AS INTEGER),
           MAX(occurred_at) FILTER (WHERE kind = 'purchase'), MAX(occurred_at)
    FROM interactions WHERE customer_id = OLD.customer_id AND deleted_at IS NULL GROUP BY customer_id;
END;
