-- The policy sandbox: draft scorecards, apart from the registry. The same
-- name and version may be a draft and a published version at once; no
-- assignment, run or published result refers to a draft.

CREATE TABLE sandbox_drafts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    describe TEXT NOT NULL,
    bytes BLOB NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at BIGINT NOT NULL
);
