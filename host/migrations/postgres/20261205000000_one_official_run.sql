-- At most one official run in force per period and scope. The host also
-- serialises publishing (publish and unlock read what they decide on under
-- a lock), which covers overlapping scopes; this index makes the rule the
-- database's too. Identical in both dialects.
CREATE UNIQUE INDEX official_runs_one_in_force
    ON official_runs (period, COALESCE(unit, ''))
    WHERE unlocked_at IS NULL;
