"""`flinkops ops` commands (not yet written)."""
