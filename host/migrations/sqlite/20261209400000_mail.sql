-- Notices by e-mail: where a person is written to (set by themself or their
-- admins), and the outbox a sender drains with retries, each message's
-- delivery recorded. The ids aside, identical in both dialects.
CREATE TABLE contacts (
    subject TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    set_by TEXT NOT NULL,
    set_at BIGINT NOT NULL
);

CREATE TABLE mail_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    notice_id BIGINT NOT NULL,
    recipient TEXT NOT NULL,
    subject_line TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'failed')),
    attempts BIGINT NOT NULL,
    next_at BIGINT NOT NULL,
    last_error TEXT,
    sent_at BIGINT
);
CREATE INDEX mail_outbox_due ON mail_outbox (status, next_at);
CREATE INDEX mail_outbox_notice ON mail_outbox (notice_id);
