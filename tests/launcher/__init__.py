"""Tests of the background-run launcher and hyperparameter sweeps."""
