"""Tests of the garment classifier, its trainer and CLIs."""
