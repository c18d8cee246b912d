-- Sign-in sessions of the dashboard: the cookie holds a random id, stored
-- here as its SHA-256 only, bound to the token signed in with; a session
-- ends at logout, at its expiry, after an idle spell, or with its token.
-- Identical in both dialects.
CREATE TABLE sessions (
    sha256 TEXT PRIMARY KEY,
    token_sha256 TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    ended_at BIGINT
);
CREATE INDEX sessions_expiry ON sessions (expires_at);
