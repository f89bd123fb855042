"""Lookbook designer: clothing datasets in, generated fashion lookbooks out."""

__version__ = "0.1.0"
