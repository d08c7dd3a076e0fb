"""Models of the enrollment app (filled by its own issue)."""
