"""Benchmarks and the synthetic data generator of clusterld (run from the repository root)."""
