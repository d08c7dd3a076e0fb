"""Copying a term's scheduling settings and clubs into the next term."""
