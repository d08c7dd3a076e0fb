"""Week timetables of a class, student, person, room or the school (screen and PDF)."""
