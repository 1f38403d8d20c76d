"""The demo: ``manage.py seed_demo`` and the fictional sample cases it makes.

At the top of the layers: it uses accounts and cases (through the services, as staff would),
and nothing imports it, so the product runs the same without it.
"""
