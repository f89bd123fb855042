"""Models: DCGAN generator/discriminator, garment classifier, and their saved artefacts."""
