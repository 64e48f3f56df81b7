"""Clinical extraction: from a session text to facts with evidence.

Risk, interventions, homework, measures, quotes, distortions, change talk, symptoms and the
people mentioned, each pointing at the words it came from.
"""
