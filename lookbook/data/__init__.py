"""Data layer: source loaders, unified taxonomy, prepared datasets and the tf.data pipeline."""
