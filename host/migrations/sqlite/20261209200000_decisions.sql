-- Decisions: the competent person confirms each subject's grade from the
-- official run, once; deciding writes a notice the person reads (the result,
-- its indicators, the caps and their reasons, the day the appeal window
-- closes), kept with the result. Identical in both dialects but for the ids.
CREATE TABLE decisions (
    run_id BIGINT NOT NULL REFERENCES runs (id),
    subject TEXT NOT NULL,
    unit TEXT NOT NULL,
    period TEXT NOT NULL,
    grade TEXT NOT NULL,
    total BIGINT,
    decided_by TEXT NOT NULL,
    decided_at BIGINT NOT NULL,
    PRIMARY KEY (run_id, subject)
);
CREATE INDEX decisions_unit ON decisions (run_id, unit);

CREATE TABLE notices (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id BIGINT NOT NULL,
    subject TEXT NOT NULL,
    period TEXT NOT NULL,
    written_at BIGINT NOT NULL,
    appeal_until TEXT NOT NULL,
    body TEXT NOT NULL,
    read_at BIGINT
);
CREATE INDEX notices_subject ON notices (subject, written_at);
