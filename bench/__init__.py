"""Benchmarks of the hot paths (`make bench`); never part of `make test`."""
