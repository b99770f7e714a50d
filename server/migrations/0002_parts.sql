-- A big transaction travels in parts (at most tend_sync's PART_RECORDS records each), each stored
-- as its own row with its own sequence number: a retried part is stored once.
ALTER TABLE txs ADD COLUMN part INTEGER NOT NULL DEFAULT 0;
DROP INDEX txs_clock;
CREATE UNIQUE INDEX txs_clock ON txs (workspace_id, device_id, hlc, part);
