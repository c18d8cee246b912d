-- People in the loop: servants sign in with one-time codes their unit admin
-- issues, assess themselves; the collective comments; the direct manager
-- assesses, and the manager's points become the facts a run reads. Each
-- step is due by a calendar per unit and period kind, counted in working
-- days on the calendar days the admins maintain. The tokens' new roles aside, identical in both dialects.

-- Two more roles (a person, bound to the subject they are; an assessor,
-- bound to a subtree), and a person's token names its subject. SQLite
-- cannot change a CHECK constraint: the table is rebuilt, rows as they were.
CREATE TABLE tokens_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sha256 TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'unit-admin', 'publisher', 'analyst', 'viewer', 'person', 'assessor')),
    unit TEXT REFERENCES units (code),
    namespace TEXT,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT,
    expires_at BIGINT,
    revoked_by TEXT,
    subject TEXT
);
INSERT INTO tokens_new (id, sha256, name, role, unit, namespace, created_by, created_at, revoked_at, expires_at, revoked_by)
    SELECT id, sha256, name, role, unit, namespace, created_by, created_at, revoked_at, expires_at, revoked_by FROM tokens;
DROP TABLE tokens;
ALTER TABLE tokens_new RENAME TO tokens;

-- One-time sign-in codes, kept as their SHA-256 only: each opens one
-- person token for its subject, once, before it expires.
CREATE TABLE sign_in_codes (
    sha256 TEXT PRIMARY KEY,
    subject TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX sign_in_codes_subject ON sign_in_codes (subject);

-- One subject's assessment for one period: where it stands, and each
-- step's record (points as JSON name → ten-thousandths, who, when, and
-- whether it came after its due date). Every change is also in the audit log.
CREATE TABLE assessments (
    subject TEXT NOT NULL,
    period TEXT NOT NULL,
    unit TEXT NOT NULL,
    plugin TEXT NOT NULL,
    version TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('self-assessed', 'collective-recorded', 'manager-assessed')),
    self_points TEXT,
    self_review TEXT,
    self_by TEXT,
    self_at BIGINT,
    self_late BIGINT,
    collective_date TEXT,
    collective_attended TEXT,
    collective_text TEXT,
    collective_points TEXT,
    votes_for BIGINT,
    votes_against BIGINT,
    collective_by TEXT,
    collective_at BIGINT,
    collective_late BIGINT,
    manager_points TEXT,
    manager_comments TEXT,
    manager_by TEXT,
    manager_at BIGINT,
    manager_late BIGINT,
    revision BIGINT NOT NULL,
    PRIMARY KEY (subject, period)
);
CREATE INDEX assessments_unit ON assessments (period, unit, subject);

-- When each step is due, per unit (for its subtree, unless a unit below
-- has its own) and period kind: `+N` working days after the period's last
-- day, `-N` before it, or `DD`, that day of the period's last month.
CREATE TABLE assessment_calendars (
    unit TEXT NOT NULL,
    period_kind TEXT NOT NULL,
    step TEXT NOT NULL,
    due TEXT NOT NULL,
    set_by TEXT NOT NULL,
    set_at BIGINT NOT NULL,
    PRIMARY KEY (unit, period_kind, step)
);

-- The days that break the week's rule: public holidays (and the days off
-- substituted for them) and the weekend days worked in exchange.
CREATE TABLE calendar_days (
    day TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('holiday', 'working')),
    name TEXT NOT NULL,
    set_by TEXT NOT NULL,
    set_at BIGINT NOT NULL
);
