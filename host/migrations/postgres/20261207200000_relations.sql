-- Who leads whom: the posts whose holders lead each unit (codes joined by
-- commas, which codes never hold), and each subject's direct manager.
ALTER TABLE units ADD COLUMN leader_posts TEXT NOT NULL DEFAULT '';
ALTER TABLE subjects ADD COLUMN manager TEXT;
