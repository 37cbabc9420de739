"""Benchmarks: synthetic libraries and store comparisons (results in docs/benchmarks.md)."""
