"""The clinician web app: FastAPI app factory, routes, server-rendered templates, static files.

Thin over the record's use cases (:class:`notewell.records.service.RecordService`): a route
parses the request, calls one service, renders. No SQL here.
"""
