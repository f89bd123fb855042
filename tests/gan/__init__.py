"""Tests of the GAN engine: models, configs and presets, checkpoints, the trainer and its CLI."""
