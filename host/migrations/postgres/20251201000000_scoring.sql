-- Scoring: the organisation's posts and subjects, facts as imported (the
-- current sheet per subject and period, loaded in bulk by runs, and every
-- change beside it), cut-offs, runs with their results, and the official run
-- of each period.

CREATE TABLE posts (
    code TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    -- The group of similar tasks a quota counts within.
    task_group TEXT NOT NULL
);

CREATE TABLE subjects (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('person', 'unit')),
    unit TEXT NOT NULL REFERENCES units (code),
    post TEXT NOT NULL REFERENCES posts (code),
    months_worked BIGINT,
    months_absent BIGINT
);

CREATE INDEX subjects_unit ON subjects (unit);

CREATE TABLE fact_imports (
    id BIGSERIAL PRIMARY KEY,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    file TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    rows_read BIGINT NOT NULL,
    values_changed BIGINT NOT NULL
);

-- The values in force: one row per subject and period, the facts as a JSON
-- object of ten-thousandths, so that a run reads a period in one pass.
CREATE TABLE fact_sheets (
    subject TEXT NOT NULL REFERENCES subjects (id),
    period TEXT NOT NULL,
    facts TEXT NOT NULL,
    revision BIGINT NOT NULL,
    PRIMARY KEY (period, subject)
);

-- Every change, kept beside the older values: per subject, period and import,
-- the facts it set as a JSON object of [value, source].
CREATE TABLE fact_changes (
    subject TEXT NOT NULL,
    period TEXT NOT NULL,
    import_id BIGINT NOT NULL REFERENCES fact_imports (id),
    revision BIGINT NOT NULL,
    facts TEXT NOT NULL,
    PRIMARY KEY (subject, period, revision)
);

CREATE TABLE fact_freezes (
    period TEXT PRIMARY KEY,
    frozen_at BIGINT NOT NULL,
    frozen_by TEXT NOT NULL
);

CREATE TABLE runs (
    id BIGSERIAL PRIMARY KEY,
    period TEXT NOT NULL,
    unit TEXT REFERENCES units (code),
    status TEXT NOT NULL CHECK (status IN ('running', 'complete', 'failed')),
    started_by TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    heartbeat_at BIGINT NOT NULL,
    finished_at BIGINT,
    engine TEXT NOT NULL,
    error TEXT,
    summary TEXT
);

-- Written in the same transaction that marks the run complete: a run is seen
-- whole or not at all.
CREATE TABLE run_results (
    run_id BIGINT NOT NULL REFERENCES runs (id),
    subject TEXT NOT NULL,
    unit TEXT NOT NULL,
    post TEXT NOT NULL,
    -- The cohort a quota counted the subject in: the post's task group then.
    task_group TEXT NOT NULL,
    plugin TEXT NOT NULL,
    version TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('scored', 'refused', 'fault')),
    total BIGINT,
    computed_grade TEXT,
    grade TEXT,
    cohort_rule TEXT,
    caps TEXT NOT NULL,
    indicators TEXT NOT NULL,
    facts TEXT NOT NULL,
    facts_sha256 TEXT NOT NULL,
    fuel BIGINT NOT NULL,
    error TEXT,
    PRIMARY KEY (run_id, subject)
);

CREATE TABLE official_runs (
    id BIGSERIAL PRIMARY KEY,
    period TEXT NOT NULL,
    -- The subtree it is official for; null for the whole organisation.
    unit TEXT REFERENCES units (code),
    run_id BIGINT NOT NULL REFERENCES runs (id),
    published_by TEXT NOT NULL,
    published_at BIGINT NOT NULL,
    unlocked_by TEXT,
    unlocked_at BIGINT,
    unlock_reason TEXT
);
