"""Uploaded files: what they really are, judged by their content, and copies of them without
identifying metadata (``files.checking``).

At the bottom of the layers: it imports no domain app and raises its own errors
(``files.exceptions``), which the app that takes an upload translates into its own.
"""
