-- The read path: a run's results paged by total from an index, a unit's
-- subtree walked from its parent, people sorted by name in Vietnamese order
-- (the key is written by the organisation import; see org/names.rs).
CREATE INDEX run_results_total ON run_results (run_id, total DESC, subject);
CREATE INDEX units_parent ON units (parent);
ALTER TABLE subjects ADD COLUMN name_key TEXT;
