-- Who read a subject's personal data (their facts, caps and their reasons,
-- refusal or fault text), when, and through what: one row per subject per
-- read, so admins can list a subject's readers. Append-only.
CREATE TABLE personal_reads (
    id BIGSERIAL PRIMARY KEY,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    subject TEXT NOT NULL,
    via TEXT NOT NULL
);
CREATE INDEX personal_reads_subject ON personal_reads (subject, id);
CREATE FUNCTION personal_reads_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the log of personal reads is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER personal_reads_no_change BEFORE UPDATE OR DELETE ON personal_reads
    FOR EACH ROW EXECUTE FUNCTION personal_reads_append_only();
