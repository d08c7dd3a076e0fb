"""Logging in and activating a guardian's login."""
