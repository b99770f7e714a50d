-- A ticket's thread includes the threads of the tickets merged into it: found by this index.
CREATE INDEX tickets_merged_into ON tickets(merged_into) WHERE merged_into IS NOT NULL;
