"""Training: the GAN, classifier and upscaler trainers, presets, callbacks, devices, launching, scoring and sweeps."""
