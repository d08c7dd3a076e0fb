"""Project checks that run with ``make lint`` (import-linter's custom contracts)."""
