-- The read path: a run's results paged by total from an index, a unit's
-- subtree walked from its parent, people sorted by name in Vietnamese order
-- and found by name with or without diacritics (the keys and folded names
-- are written by the organisation import; see org/names.rs).
-- It carries what deciding a row's visibility reads (unit, caps), so
-- skipping to a page reads the index, not the rows.
CREATE INDEX run_results_total ON run_results (run_id, total DESC, subject, unit, caps);
CREATE INDEX units_parent ON units (parent);
ALTER TABLE subjects ADD COLUMN name_key TEXT;
ALTER TABLE subjects ADD COLUMN name_folded TEXT;
ALTER TABLE subjects ADD COLUMN given_folded TEXT;
ALTER TABLE units ADD COLUMN name_folded TEXT;
CREATE INDEX subjects_folded ON subjects (name_folded);
CREATE INDEX subjects_given ON subjects (given_folded);
-- How many of a run's results each unit has, by post, final grade, outcome,
-- whether a total was given and whether a cap applied: written with the
-- results, so a count of what a reader may see sums these, not the run.
CREATE TABLE run_unit_counts (
    run_id BIGINT NOT NULL REFERENCES runs (id),
    unit TEXT NOT NULL,
    post TEXT NOT NULL,
    grade TEXT NOT NULL,
    outcome TEXT NOT NULL,
    has_total BIGINT NOT NULL,
    capped BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (run_id, unit, post, grade, outcome, has_total, capped)
);
