"""No models. The module exists because Django sends ``post_migrate`` only to apps that have
one, and this app installs the database protections on that signal (see apps.py)."""
