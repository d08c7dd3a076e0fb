"""The home page after login, one per role, and the admin's figures."""
