"""`flinkops plan` commands (not yet written)."""
