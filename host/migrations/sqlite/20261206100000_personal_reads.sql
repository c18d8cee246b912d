-- Who read a subject's personal data (their facts, caps and their reasons,
-- refusal or fault text), when, and through what: one row per subject per
-- read, so admins can list a subject's readers. Append-only.
CREATE TABLE personal_reads (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    subject TEXT NOT NULL,
    via TEXT NOT NULL
);
CREATE INDEX personal_reads_subject ON personal_reads (subject, id);
CREATE TRIGGER personal_reads_no_update BEFORE UPDATE ON personal_reads
BEGIN
    SELECT RAISE(ABORT, 'the log of personal reads is append-only');
END;
CREATE TRIGGER personal_reads_no_delete BEFORE DELETE ON personal_reads
BEGIN
    SELECT RAISE(ABORT, 'the log of personal reads is append-only');
END;
