-- Where a subject served over a run's period when they moved within it (a
-- quarter or a year split by a move or a merger): one row per stretch of
-- months in one unit and post. Subjects who stayed put have none; their one
-- place is their result's.
CREATE TABLE run_parts (
    run_id BIGINT NOT NULL,
    subject TEXT NOT NULL,
    first_month TEXT NOT NULL,
    last_month TEXT NOT NULL,
    unit TEXT NOT NULL,
    post TEXT NOT NULL,
    PRIMARY KEY (run_id, subject, first_month)
);

-- Those who served in a unit for part of a run's period, by the unit.
CREATE INDEX run_parts_unit ON run_parts (run_id, unit, subject);

-- Whether a run wrote its parts: runs from before this table have none to
-- compare, so `verify` derives them only for runs that did.
ALTER TABLE runs ADD COLUMN parts_recorded BIGINT NOT NULL DEFAULT 0;
