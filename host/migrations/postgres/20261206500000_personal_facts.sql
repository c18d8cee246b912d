-- Which facts of a published version are personal, as an admin set them:
-- indicators that read one show the public no raw value. A version without
-- a row here takes the host's default (facts about discipline or
-- degradation). Identical in both dialects.
CREATE TABLE personal_fact_lists (
    namespace TEXT NOT NULL,
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    facts TEXT NOT NULL,
    set_by TEXT NOT NULL,
    set_at BIGINT NOT NULL,
    PRIMARY KEY (namespace, name, version)
);
