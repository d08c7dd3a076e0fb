"""Calendar: school days, service days, the term's settings and service changes."""
