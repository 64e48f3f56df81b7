"""Notewell: a self-hostable therapy progress-note generator.

Data flows one way: session input → extraction → facts → composition → note → review.
Every fact and every clinical sentence carries evidence spans into the session text.
"""

__version__ = "0.1.0"
