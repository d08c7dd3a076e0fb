"""The next term from the last: the orchestrated copy across the apps."""
