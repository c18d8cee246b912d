-- Trial facts of a draft: values a policy team supplies for facts the
-- stored data lacks, read by that draft's what-ifs only. No import, run or
-- published result reads this table; a draft's trial facts go with it.
-- Identical in both dialects.
CREATE TABLE sandbox_draft_facts (
    draft_id BIGINT NOT NULL REFERENCES sandbox_drafts (id) ON DELETE CASCADE,
    period TEXT NOT NULL,
    subject TEXT NOT NULL,
    fact TEXT NOT NULL,
    raw BIGINT NOT NULL,
    PRIMARY KEY (draft_id, period, subject, fact)
);
