-- The read path: a run's results paged by total from an index, a unit's
-- subtree walked from its parent, people sorted by name in Vietnamese order
-- and found by name with or without diacritics (the keys and folded names
-- are written by the organisation import; see org/names.rs).
CREATE INDEX run_results_total ON run_results (run_id, total DESC, subject);
CREATE INDEX units_parent ON units (parent);
ALTER TABLE subjects ADD COLUMN name_key TEXT;
ALTER TABLE subjects ADD COLUMN name_folded TEXT;
ALTER TABLE subjects ADD COLUMN given_folded TEXT;
ALTER TABLE units ADD COLUMN name_folded TEXT;
CREATE INDEX subjects_folded ON subjects (name_folded);
CREATE INDEX subjects_given ON subjects (given_folded);
