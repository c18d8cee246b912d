-- Appeal windows per category of post (civil servants, public employees,
-- …): working days from a notice in which a person may appeal, and from an
-- appeal in which it is to be answered. A post names its category; a
-- category with no window of its own takes the `default` one, and without
-- that the law's numbers (5 and 10).
ALTER TABLE posts ADD COLUMN category TEXT;

CREATE TABLE appeal_windows (
    category TEXT PRIMARY KEY,
    appeal_days BIGINT NOT NULL,
    answer_days BIGINT NOT NULL,
    set_by TEXT NOT NULL,
    set_at BIGINT NOT NULL
);
