-- The unit subtree an audited act concerns: a unit admin's own root for
-- theirs, the unit an admin's act names (a run, an assignment, a
-- publication) for an admin's; NULL for acts on the whole host. Unit admins
-- read the entries within their subtree only. Identical in both dialects.
ALTER TABLE audit_log ADD COLUMN unit TEXT;
