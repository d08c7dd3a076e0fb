"""School-year rollover (升级) and class membership per school year."""
