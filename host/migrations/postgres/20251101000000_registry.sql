-- The registry: plugin bytes by content, published versions, the organisation's
-- units that assignments are scoped to, assignments with their history, and
-- the append-only audit log.

CREATE TABLE plugin_blobs (
    sha256 TEXT PRIMARY KEY,
    bytes BYTEA NOT NULL,
    size BIGINT NOT NULL
);

CREATE TABLE plugin_versions (
    namespace TEXT NOT NULL,
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    prerelease BIGINT NOT NULL,
    sha256 TEXT NOT NULL REFERENCES plugin_blobs (sha256),
    describe TEXT NOT NULL,
    published_by TEXT NOT NULL,
    published_at BIGINT NOT NULL,
    yanked_at BIGINT,
    yanked_by TEXT,
    PRIMARY KEY (namespace, name, version)
);

CREATE TABLE units (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    parent TEXT REFERENCES units (code)
);

CREATE TABLE assignments (
    id BIGSERIAL PRIMARY KEY,
    post_type TEXT NOT NULL,
    post_kind TEXT NOT NULL CHECK (post_kind IN ('position', 'agency-type')),
    unit TEXT NOT NULL REFERENCES units (code),
    plugin TEXT NOT NULL,
    requirement TEXT NOT NULL,
    effective_from TEXT NOT NULL,
    assigned_by TEXT NOT NULL,
    assigned_at BIGINT NOT NULL,
    UNIQUE (post_type, post_kind, unit, effective_from)
);

CREATE TABLE audit_log (
    id BIGSERIAL PRIMARY KEY,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    detail TEXT NOT NULL
);

CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
