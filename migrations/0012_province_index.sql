-- Segment counts at scale (issue 11): the province index also holds each customer's stage and
-- id, so a segment that names a province counts its customers from the index alone, checking
-- the stage there and looking purchases and contacts up by id (src/segments/sql.rs), instead of
-- reading every row of the province. At 1M customers a three-rule count (stage, province,
-- spending) goes from ~580 ms to ~70 ms; the index grows from 43 MB to 85 MB. The list's
-- province filter still walks it by name.
DROP INDEX customers_province;
CREATE INDEX customers_province ON customers(province, name_folded, stage_id, id) WHERE deleted_at IS NULL;
