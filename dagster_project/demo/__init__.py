"""The demo business: a bakery-café with three stores (see generator.py)."""
