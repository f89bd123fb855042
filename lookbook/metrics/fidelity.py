"""Reconstruction fidelity of upscaled images against their real originals: PSNR and SSIM."""

from __future__ import annotations

import numpy as np


def psnr(predicted: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Peak signal-to-noise ratio in dB of each uint8 image pair (n, h, w, 3); identical images give +inf."""
    diff = np.asarray(predicted, np.float64) - np.asarray(target, np.float64)
    mse = np.mean(diff * diff, axis=(1, 2, 3))
    with np.errstate(divide="ignore"):
        return 10.0 * np.log10(255.0**2 / mse)


def ssim(predicted: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Structural similarity of each uint8 image pair (n, h, w, 3): TensorFlow's standard 11 px Gaussian window."""
    import tensorflow as tf

    a = tf.constant(np.asarray(predicted, np.float32))
    b = tf.constant(np.asarray(target, np.float32))
    return np.asarray(tf.image.ssim(a, b, max_val=255.0), np.float64)


def summarise(predicted: np.ndarray, target: np.ndarray) -> dict[str, float]:
    """Mean PSNR (of the per-image values, finite ones) and mean SSIM over a set of image pairs."""
    values = psnr(predicted, target)
    finite = values[np.isfinite(values)]
    return {"psnr_db": float(finite.mean()) if len(finite) else float("inf"), "ssim": float(ssim(predicted, target).mean())}
