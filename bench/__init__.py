"""Benchmarks that print their figures (never asserted in tests): `python -m bench` runs them all.

Each benchmark is a module named `*_bench.py` in this package with a `main()`; `bench/README.md`
records the latest figures, with the date and the machine they were taken on.
"""
