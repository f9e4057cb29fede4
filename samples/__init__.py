"""Rebuild the sample province (run as modules: ``python -m samples.make_samples``)."""
