"""The fee standard of a term under the county's cap (seed 一.7)."""
