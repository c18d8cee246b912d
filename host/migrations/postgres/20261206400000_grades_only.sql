-- A unit that publishes its people's results may publish their grades only:
-- the public then sees each person's final grade, never their total,
-- indicators or grade before cohort rules. Identical in both dialects.
ALTER TABLE units ADD COLUMN grades_only BIGINT NOT NULL DEFAULT 0;
