"""Device strategies for training: the default device, N mirrored devices (GPUs or logical CPUs), or many workers.

`--devices 1` (default) trains on the default strategy; `--devices N` mirrors over N GPUs, or, on a machine without
GPUs, over N logical CPU devices carved out of the CPU (this must happen before TensorFlow starts, so choose it
first thing); `--devices multiworker` uses MultiWorkerMirroredStrategy configured by the TF_CONFIG variable.
"""

from __future__ import annotations

import json
import os
from typing import Any

from lookbook.errors import LookbookError

MULTIWORKER = "multiworker"


def parse_devices(value: Any) -> int | str:
    """`None`/`"1"`/`1` -> 1, `"N"` -> N, `"multiworker"` -> "multiworker"; anything else is a one-line error."""
    if value is None or value == "":
        return 1
    text = str(value).strip().lower()
    if text == MULTIWORKER:
        return MULTIWORKER
    if text.isdigit() and int(text) >= 1:
        return int(text)
    raise LookbookError(f"--devices must be a positive number or {MULTIWORKER!r}, got {value!r}")


def make_strategy(devices: Any = 1) -> Any:
    """The tf.distribute strategy for `devices` (see module docstring)."""
    devices = parse_devices(devices)
    if devices == MULTIWORKER:
        if not os.environ.get("TF_CONFIG"):
            raise LookbookError(
                "--devices multiworker needs the TF_CONFIG environment variable (cluster and task) on every worker"
            )
        import tensorflow as tf

        return tf.distribute.MultiWorkerMirroredStrategy()
    import tensorflow as tf

    if devices == 1:
        return tf.distribute.get_strategy()
    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        if len(gpus) < devices:
            raise LookbookError(f"--devices {devices}: only {len(gpus)} GPU(s) visible")
        return tf.distribute.MirroredStrategy([f"/gpu:{i}" for i in range(devices)])
    cpus = split_cpu(devices)
    return tf.distribute.MirroredStrategy(cpus, cross_device_ops=tf.distribute.ReductionToOneDevice())


def split_cpu(n: int) -> list[str]:
    """Make the CPU appear as `n` logical devices (only possible before TensorFlow initialises); return their names."""
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    current = tf.config.get_logical_device_configuration(cpu)
    if not current or len(current) != n:
        try:
            tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration() for _ in range(n)])
        except RuntimeError:
            have = len(tf.config.list_logical_devices("CPU"))
            if have < n:
                raise LookbookError(
                    f"cannot split the CPU into {n} devices: TensorFlow already started in this process with {have}; "
                    "run training from the command line (python -m lookbook train gan --devices N)"
                ) from None
    return [d.name for d in tf.config.list_logical_devices("CPU")][:n]


def replica_count(strategy: Any) -> int:
    return int(strategy.num_replicas_in_sync)


def is_chief(devices: Any = 1) -> bool:
    """Whether this process writes the run folder: always, except for non-chief multi-worker tasks (from TF_CONFIG)."""
    if parse_devices(devices) != MULTIWORKER:
        return True
    try:
        parsed = json.loads(os.environ.get("TF_CONFIG") or "{}")
    except json.JSONDecodeError:
        raise LookbookError("TF_CONFIG is not valid JSON") from None
    task = parsed.get("task", {})
    kind, index = task.get("type"), int(task.get("index", 0))
    if kind in (None, "chief"):
        return True
    has_chief = bool(parsed.get("cluster", {}).get("chief"))
    return kind == "worker" and index == 0 and not has_chief
