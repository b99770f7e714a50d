-- A transaction that arrives in parts (sync, tend_sync's `Part`): the next part this device
-- expects, while some are still to come. Device-local: its `txs` row is in the log from the
-- first part on, and each part's records are applied as they arrive.
CREATE TABLE sync_parts (
    hlc   TEXT PRIMARY KEY,
    next  INTEGER NOT NULL,
    count INTEGER NOT NULL
) STRICT;
