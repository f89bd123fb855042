"""Tests of the lookbook composer."""
