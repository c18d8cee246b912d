-- Tokens expire: each has the moment it stops working (milliseconds since
-- the epoch), and a revoked one records who revoked it. Tokens made before
-- expiry existed stop 90 days after this upgrade.
ALTER TABLE tokens ADD COLUMN expires_at BIGINT;
ALTER TABLE tokens ADD COLUMN revoked_by TEXT;
UPDATE tokens SET expires_at = CAST(strftime('%s', 'now') AS INTEGER) * 1000 + 90 * 86400000;
