"""Renderings of facts and notes for the outside world: the CLI's JSON contract, text, FHIR."""
