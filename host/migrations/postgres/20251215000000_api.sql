-- Access: bearer tokens, stored as their SHA-256 only, each with one role and
-- its scope; and each unit's choice to publish per-person results.

CREATE TABLE tokens (
    id BIGSERIAL PRIMARY KEY,
    sha256 TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'unit-admin', 'publisher', 'analyst', 'viewer')),
    unit TEXT REFERENCES units (code),
    namespace TEXT,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);

ALTER TABLE units ADD COLUMN publishes_people BIGINT NOT NULL DEFAULT 0;
