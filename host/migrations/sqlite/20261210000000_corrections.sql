-- Corrections: an official run's results change only through a correction
-- (an upheld appeal's corrected facts), which rescores the subject and
-- everyone whose result depends on theirs (their cohort's quota, the
-- leaders of the people changed) and rewrites those rows in place. Each
-- correction raises the run's revision (what the public's validators are
-- made of) and keeps every row it replaced as it was.
ALTER TABLE runs ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;

CREATE TABLE corrections (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id BIGINT NOT NULL REFERENCES runs (id),
    revision BIGINT NOT NULL,
    subject TEXT NOT NULL,
    appeal_id BIGINT,
    facts TEXT NOT NULL,
    reason TEXT NOT NULL,
    corrected_by TEXT NOT NULL,
    corrected_at BIGINT NOT NULL,
    UNIQUE (run_id, revision)
);

CREATE TABLE corrected_results (
    correction_id BIGINT NOT NULL REFERENCES corrections (id),
    subject TEXT NOT NULL,
    was TEXT NOT NULL,
    became TEXT NOT NULL,
    PRIMARY KEY (correction_id, subject)
);
