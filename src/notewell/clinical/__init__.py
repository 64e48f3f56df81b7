"""Clinical knowledge as data: lexicons, instruments, note formats and checks (YAML).

Code elsewhere holds only mechanics; what counts as "denies SI", which words make a homework
assignment, the PHQ-9 bands — all of it lives in YAML files here, validated against schemas
that reject unknown keys, each rule carrying example sentences that a test runs end to end.
"""
