"""Marks benchmarks/moons as a package so that mypy, checking all of benchmarks/ at once, can
tell its run.py (module ``moons.run``) from benchmarks/optimizer_table/run.py (``run``)."""
