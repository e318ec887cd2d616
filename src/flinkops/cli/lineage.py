"""`flinkops lineage` commands (not yet written)."""
