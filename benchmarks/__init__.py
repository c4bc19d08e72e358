"""Benchmarks: run all with ``python -m benchmarks`` (or ``make bench``)."""
