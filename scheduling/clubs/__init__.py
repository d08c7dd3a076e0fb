"""Clubs (社团) of the featured course: rooms, teachers, clashes."""
