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

ALTER TABLE run_results DROP CONSTRAINT run_results_outcome_check;
ALTER TABLE run_results ADD CONSTRAINT run_results_outcome_check
    CHECK (outcome IN ('scored', 'refused', 'fault', 'not-evaluated'));
