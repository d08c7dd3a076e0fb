"""Roll call (点名), leave (请假) and dismissal (离校)."""
