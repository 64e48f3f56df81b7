"""Use cases. They depend on ports (Protocols), never on SQLAlchemy, FastAPI or spaCy."""
