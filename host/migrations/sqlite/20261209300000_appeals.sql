-- Appeals: a person contests a decided result within the window its notice
-- gives, naming the indicators or facts contested, with text and evidence
-- files; the competent person answers within the answer window (rejected
-- with a reason, or upheld with corrected facts), late past it. The
-- evidence's bytes are kept in the database (BLOB here, BYTEA there).
CREATE TABLE appeals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    notice_id BIGINT NOT NULL UNIQUE,
    run_id BIGINT NOT NULL,
    subject TEXT NOT NULL,
    unit TEXT NOT NULL,
    period TEXT NOT NULL,
    contested TEXT NOT NULL,
    text TEXT NOT NULL,
    filed_by TEXT NOT NULL,
    filed_at BIGINT NOT NULL,
    answer_due TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('filed', 'rejected', 'upheld')),
    answer TEXT,
    corrected_facts TEXT,
    answered_by TEXT,
    answered_at BIGINT,
    answered_late BIGINT
);
CREATE INDEX appeals_subject ON appeals (subject);

CREATE TABLE appeal_evidence (
    appeal_id BIGINT NOT NULL,
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    bytes BLOB NOT NULL,
    size BIGINT NOT NULL,
    added_at BIGINT NOT NULL,
    PRIMARY KEY (appeal_id, name)
);
