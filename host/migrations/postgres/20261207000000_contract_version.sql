-- The contract version each published component targets. Every version
-- published before contract 1.1 targets 1.0.0.
ALTER TABLE plugin_versions ADD COLUMN contract TEXT NOT NULL DEFAULT '1.0.0';
