-- Publication inside the agency (Decree 90): a unit may show the results of
-- its people, and of those of the units below it, to the people signed in
-- among them, without publishing them to the public. Identical in both
-- dialects.
ALTER TABLE units ADD COLUMN within_agency BIGINT NOT NULL DEFAULT 0;
