-- Exemptions: a subject not evaluated for a period (long leave, newly
-- recruited), with the reason, its legal basis, who recorded it and when.
-- A run records such a subject as `not-evaluated`, outside every cohort.
CREATE TABLE exemptions (
    subject TEXT NOT NULL,
    period TEXT NOT NULL,
    reason TEXT NOT NULL,
    basis TEXT,
    recorded_by TEXT NOT NULL,
    recorded_at BIGINT NOT NULL,
    PRIMARY KEY (subject, period)
);
CREATE INDEX exemptions_period ON exemptions (period);

-- SQLite cannot change a CHECK constraint: run_results is rebuilt with the
-- new outcome allowed, its rows and index as they were.
CREATE TABLE run_results_new (
    run_id BIGINT NOT NULL REFERENCES runs (id),
    subject TEXT NOT NULL,
    unit TEXT NOT NULL,
    post TEXT NOT NULL,
    -- The cohort a quota counted the subject in: the post's task group then.
    task_group TEXT NOT NULL,
    plugin TEXT NOT NULL,
    version TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('scored', 'refused', 'fault', 'not-evaluated')),
    total BIGINT,
    computed_grade TEXT,
    grade TEXT,
    cohort_rule TEXT,
    caps TEXT NOT NULL,
    indicators TEXT NOT NULL,
    facts TEXT NOT NULL,
    facts_sha256 TEXT NOT NULL,
    fuel BIGINT NOT NULL,
    error TEXT,
    PRIMARY KEY (run_id, subject)
);
INSERT INTO run_results_new SELECT * FROM run_results;
DROP TABLE run_results;
ALTER TABLE run_results_new RENAME TO run_results;
CREATE INDEX run_results_unit ON run_results (run_id, unit);
