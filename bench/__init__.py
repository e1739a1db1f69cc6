"""Benchmarks: ratios measured in one run, printed as a table and written as JSON.

``python -m bench`` runs every suite; ``python -m bench ops pages`` runs some.
Each suite is a module here with ``run() -> list[Measurement]``.
"""
