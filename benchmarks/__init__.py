"""Benchmarks (figures, not tests): ``python -m benchmarks.bench_merge`` from the repository root."""
