"""Club choice: selection windows, ranked choices, allocation runs and rosters."""
