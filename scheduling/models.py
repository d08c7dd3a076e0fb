"""Models of the scheduling app (filled by its own issue)."""
