"""`flinkops apply` commands (not yet written)."""
