"""Roster import: read a school's student register export, check every row
(``parse``), write it all or nothing (``importer``); the admin's upload,
preview and confirm pages (``views``). Guardian activation codes and letters
are in ``afterschool.activation``."""
