"""The bottom of the layers: plain Python every app may import, importing no app (not even
Django). Today only the base of the project's errors (``core.exceptions``)."""
