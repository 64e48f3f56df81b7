"""Plain dataclasses and pure functions: sessions, facts, notes, nudges. Standard library only."""
