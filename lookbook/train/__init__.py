"""Training: GAN and classifier trainers, configs, presets, callbacks, checkpoints and devices."""
