"""Helpers the tests, the samples and the benchmarks share; never part of the package."""
