"""The baseline of ``bench/bench_intake.py``: the report form without encryption or audit.

A WSGI entry of its own (``bench.bare_intake.wsgi``) on the project's settings with one URL,
``/bare/``: the same middleware stack (CSRF included), a plain form with the report form's
fields and limits, one INSERT of the case row's columns in plain text into
``bench_bare_report`` (created by the benchmark), and a tiny page with a fake code.
"""
