-- Work products (Decree 335's converted products): the catalogue of product
-- types per post, with each type's conversion coefficient, and each
-- subject's products per period, with the import each came from.

CREATE TABLE product_types (
    post TEXT NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    unit TEXT NOT NULL,
    -- Ten-thousandths: 1.5 standard products is 15000.
    coefficient BIGINT NOT NULL,
    basis TEXT,
    PRIMARY KEY (post, kind)
);

CREATE TABLE product_imports (
    id BIGSERIAL PRIMARY KEY,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    file TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    rows_read BIGINT NOT NULL
);

CREATE TABLE work_products (
    period TEXT NOT NULL,
    subject TEXT NOT NULL,
    id TEXT NOT NULL,
    kind TEXT NOT NULL,
    -- The coefficient of its type when it was imported.
    coefficient BIGINT NOT NULL,
    assigned BIGINT NOT NULL,
    accepted BIGINT NOT NULL,
    deadline TEXT,
    completed TEXT,
    on_time BIGINT,
    -- Failed checks and reworks in order, a letter each: c a failed check,
    -- r a rework; upper case when an objective cause was behind it.
    faults TEXT NOT NULL,
    source TEXT NOT NULL,
    import_id BIGINT NOT NULL REFERENCES product_imports (id),
    PRIMARY KEY (period, subject, id)
);

-- Each subject's products of a period packed in one row, in id order
-- (fields split by U+001F, products by U+001E): what a run reads, so it
-- reads a row per subject, not one per product. Rewritten by each import
-- for the subjects and periods it touches.
CREATE TABLE product_sets (
    period TEXT NOT NULL,
    subject TEXT NOT NULL,
    packed TEXT NOT NULL,
    PRIMARY KEY (period, subject)
);
