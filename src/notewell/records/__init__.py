"""The clinical record's use cases: draft into the record, edit, sign, co-sign, addenda, audit.

They depend on ports (:mod:`notewell.records.ports`); the SQLAlchemy adapters come from
:mod:`notewell.storage` through :mod:`notewell.bootstrap`.
"""
