"""Composition: facts + session → a note in a format (formats are data; blocks are mechanics)."""
