"""Fee publicity (收费公示): publishing a term\x27s fee, the public page and its A4 notice."""
