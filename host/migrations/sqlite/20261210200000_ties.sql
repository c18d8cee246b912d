-- Ties at a quota's boundary that the card leaves to the competent person:
-- written open with the run (every tied subject demoted until the choice),
-- and the choice among the tied, with its reason, when it is made (which
-- corrects the run). A correction that changes a tie opens it again.
CREATE TABLE run_ties (
    run_id BIGINT NOT NULL REFERENCES runs (id),
    rule TEXT NOT NULL,
    cohort TEXT NOT NULL,
    tied TEXT NOT NULL,
    slots BIGINT NOT NULL,
    total BIGINT NOT NULL,
    kept TEXT,
    reason TEXT,
    chosen_by TEXT,
    chosen_at BIGINT,
    PRIMARY KEY (run_id, rule, cohort)
);
