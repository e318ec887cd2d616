"""`flinkops local` commands (not yet written)."""
