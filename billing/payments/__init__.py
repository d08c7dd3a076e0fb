"""Money received for, or refunded on, a statement."""
