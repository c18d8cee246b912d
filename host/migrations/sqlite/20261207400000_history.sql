-- The organisation through time: where a subject was (unit and post), and
-- under which unit a unit stood, before a move that took effect from a
-- month. A run of a month before `until_period` counts them there.
CREATE TABLE subject_history (
    subject TEXT NOT NULL,
    until_period TEXT NOT NULL,
    unit TEXT NOT NULL,
    post TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at BIGINT NOT NULL,
    PRIMARY KEY (subject, until_period)
);

CREATE TABLE unit_history (
    unit TEXT NOT NULL,
    until_period TEXT NOT NULL,
    parent TEXT,
    recorded_by TEXT NOT NULL,
    recorded_at BIGINT NOT NULL,
    PRIMARY KEY (unit, until_period)
);
