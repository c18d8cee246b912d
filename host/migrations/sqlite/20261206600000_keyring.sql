-- The deployment's secrets, by purpose, each with an id that what it signs
-- carries, so a key can be rotated without breaking what the old one
-- signed: retired keys still verify, the newest live one signs. Generated
-- at first use and shared by every replica on this database; backed up
-- with it. Identical in both dialects.
CREATE TABLE keyring (
    id TEXT PRIMARY KEY,
    purpose TEXT NOT NULL,
    secret TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    retired_at BIGINT
);
