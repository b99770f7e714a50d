-- Live customer counts, kept by triggers in the same transaction as every write (so never stale):
-- the customer list's total and each filter value's count (stage, owner, province, tag) are
-- read in O(1) instead of counted over a million rows. Local and derived (not tracked, not in
-- archives): a workspace filled from an archive keeps it by the same triggers.
CREATE TABLE customer_counts (
    dim   TEXT NOT NULL,      -- 'all' (value ''), 'stage', 'owner', 'province', 'tag'
    value TEXT NOT NULL,
    n     INTEGER NOT NULL,
    PRIMARY KEY (dim, value)
) STRICT, WITHOUT ROWID;

INSERT INTO customer_counts (dim, value, n)
SELECT 'all', '', COUNT(*) FROM customers WHERE deleted_at IS NULL;
INSERT INTO customer_counts (dim, value, n)
SELECT 'stage', stage_id, COUNT(*) FROM customers WHERE deleted_at IS NULL AND stage_id IS NOT NULL GROUP BY stage_id;
INSERT INTO customer_counts (dim, value, n)
SELECT 'owner', owner_id, COUNT(*) FROM customers WHERE deleted_at IS NULL AND owner_id IS NOT NULL GROUP BY owner_id;
INSERT INTO customer_counts (dim, value, n)
SELECT 'province', province, COUNT(*) FROM customers WHERE deleted_at IS NULL AND province IS NOT NULL GROUP BY province;
INSERT INTO customer_counts (dim, value, n)
SELECT 'tag', tag, COUNT(*) FROM customer_tags GROUP BY tag;

CREATE TRIGGER customers_count_insert AFTER INSERT ON customers WHEN NEW.deleted_at IS NULL BEGIN
    INSERT INTO customer_counts (dim, value, n)
    SELECT d, v, 1 FROM (SELECT 'all' AS d, '' AS v UNION ALL SELECT 'stage', NEW.stage_id
        UNION ALL SELECT 'owner', NEW.owner_id UNION ALL SELECT 'province', NEW.province) WHERE v IS NOT NULL
    ON CONFLICT (dim, value) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER customers_count_update AFTER UPDATE OF deleted_at, stage_id, owner_id, province ON customers BEGIN
    UPDATE customer_counts SET n = n - 1 WHERE OLD.deleted_at IS NULL AND (
        (dim = 'all' AND value = '') OR (dim = 'stage' AND value = OLD.stage_id)
        OR (dim = 'owner' AND value = OLD.owner_id) OR (dim = 'province' AND value = OLD.province));
    INSERT INTO customer_counts (dim, value, n)
    SELECT d, v, 1 FROM (SELECT 'all' AS d, '' AS v UNION ALL SELECT 'stage', NEW.stage_id
        UNION ALL SELECT 'owner', NEW.owner_id UNION ALL SELECT 'province', NEW.province)
    WHERE v IS NOT NULL AND NEW.deleted_at IS NULL
    ON CONFLICT (dim, value) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER customers_count_delete AFTER DELETE ON customers WHEN OLD.deleted_at IS NULL BEGIN
    UPDATE customer_counts SET n = n - 1 WHERE (dim = 'all' AND value = '') OR (dim = 'stage' AND value = OLD.stage_id)
        OR (dim = 'owner' AND value = OLD.owner_id) OR (dim = 'province' AND value = OLD.province);
END;

CREATE TRIGGER customer_tags_count_insert AFTER INSERT ON customer_tags BEGIN
    INSERT INTO customer_counts (dim, value, n) VALUES ('tag', NEW.tag, 1)
    ON CONFLICT (dim, value) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER customer_tags_count_delete AFTER DELETE ON customer_tags BEGIN
    UPDATE customer_counts SET n = n - 1 WHERE dim = 'tag' AND value = OLD.tag;
END;
