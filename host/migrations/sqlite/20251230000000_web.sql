-- The dashboard reads a run's results one unit at a time.
CREATE INDEX run_results_unit ON run_results (run_id, unit);
