"""The school's people on staff pages: students, classes, rooms, guardians
and staff, as filtered, exportable lists and the student's page."""
