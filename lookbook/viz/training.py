"""Plotly figures of training runs (metrics.jsonl tables from lookbook.run.reader.read_metrics), in the house template."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from lookbook.viz.charts import INK, MUTED, PALETTE, TEMPLATE

D_COLOUR, G_COLOUR = PALETTE[0], PALETTE[1]
TRAIN_COLOUR, VAL_COLOUR = PALETTE[0], PALETTE[3]
RAW_OPACITY = 0.28
# Shown names of logged keys; anything else is shown as logged.
METRIC_TITLES: dict[str, str] = {
    "d_loss": "D loss",
    "g_loss": "G loss",
    "d_real": "D(x)",
    "d_fake": "D(G(z))",
    "d_class_acc": "D class accuracy (AC-GAN)",
    "g_spread": "G spread (mode seeking)",
    "images_per_s": "images/s",
    "g_lr": "G learning rate",
    "d_lr": "D learning rate",
    "loss": "loss",
    "accuracy": "accuracy",
    "val_loss": "validation loss",
    "val_accuracy": "validation accuracy",
    "lr": "learning rate",
    "eval_fcd": "FCD ↓",
    "eval_kid": "KID ↓",
    "eval_kid_std": "KID std",
    "eval_recognisability": "recognisability ↑",
    "eval_coverage": "class coverage ↑",
    "eval_n_categories": "categories seen ↑",
    "eval_entropy": "label entropy ↑",
    "eval_mix_tv": "category mix distance ↓",
    "eval_within_class_diversity": "within-class diversity ↑",
    "eval_conditional_accuracy": "asked-for class ↑",
    "eval_weak_categories": "categories under 50% asked-for ↓",
    "eval_time_s": "eval time (s)",
    "eval_psnr_db": "held-out PSNR (dB) ↑",
    "eval_lanczos_psnr_db": "Lanczos PSNR (dB)",
    "eval_psnr_gain_db": "PSNR gain over Lanczos (dB) ↑",
    "eval_ssim": "held-out SSIM ↑",
}
# Quality metrics shown first, in this order, when a run logs them.
EVAL_ORDER = ("eval_fcd", "eval_recognisability", "eval_coverage", "eval_conditional_accuracy", "eval_kid")
NOT_METRICS = frozenset({"epoch", "step", "wall_time_s", "time", "epoch_progress", "eval_time_s"})
X_TITLES = {"step": "step", "epoch_progress": "epoch", "epoch": "epoch", "wall_time_s": "training time (s)"}


def metric_title(key: str) -> str:
    """The label of a logged metric key (`eval_fcd` -> `FCD ↓`)."""
    return METRIC_TITLES.get(key, key.removeprefix("eval_").replace("_", " "))


def with_epoch_progress(metrics: pd.DataFrame, steps_per_epoch: float | None) -> pd.DataFrame:
    """`metrics` plus `epoch_progress` (fractional epochs: step / steps per epoch, else the logged epoch)."""
    out = metrics.copy()
    if steps_per_epoch and "step" in out:
        out["epoch_progress"] = pd.to_numeric(out["step"], errors="coerce") / float(steps_per_epoch)
    else:
        out["epoch_progress"] = pd.to_numeric(out.get("epoch", pd.Series(index=out.index, dtype="float64")), errors="coerce")
    return out


def metric_columns(metrics: pd.DataFrame) -> list[str]:
    """Logged numeric columns that hold at least one finite value (counters and clocks left out)."""
    keys = []
    for column in metrics.columns:
        if column in NOT_METRICS:
            continue
        values = pd.to_numeric(metrics[column], errors="coerce")
        if np.isfinite(values.to_numpy(dtype="float64", na_value=np.nan)).any():
            keys.append(str(column))
    return keys


def eval_columns(metrics: pd.DataFrame) -> list[str]:
    """The quality metrics (`eval_*`) a run logged, the headline ones first."""
    logged = [k for k in metric_columns(metrics) if k.startswith("eval_")]
    return [k for k in EVAL_ORDER if k in logged] + [k for k in logged if k not in EVAL_ORDER]


def _figure(height_px: int, title: str | None = None) -> go.Figure:
    fig = go.Figure()
    # uirevision keeps the user's zoom and hidden traces while the live view redraws the figure
    fig.update_layout(template=TEMPLATE, height=height_px, title={"text": title} if title else None, uirevision="keep")
    return fig


def _series(metrics: pd.DataFrame, key: str, x: str) -> tuple[pd.Series, pd.Series]:
    """(x, y) of the rows that logged `key` (eval rows and loss rows share the file); empty when it was never logged."""
    if key not in metrics:
        return pd.Series(dtype="float64"), pd.Series(dtype="float64")
    y = pd.to_numeric(metrics[key], errors="coerce")
    keep = y.notna()
    xs = metrics[x] if x in metrics else pd.Series(metrics.index, index=metrics.index)
    return xs[keep], y[keep]


def smooth(series: pd.Series, window: int) -> pd.Series:
    """Trailing rolling mean over `window` logged values; gaps (NaN) stay gaps and are not averaged in."""
    series = pd.to_numeric(series, errors="coerce").astype("float64")
    window = int(window)
    if window <= 1:
        return series.copy()
    values = series.dropna()
    return values.rolling(window, min_periods=1).mean().reindex(series.index)


def _add_raw_and_smoothed(
    fig: go.Figure, metrics: pd.DataFrame, key: str, x: str, window: int, colour: str, row: int | None = None
) -> None:
    xs, ys = _series(metrics, key, x)
    where = {"row": row, "col": 1} if row else {}
    name = metric_title(key)
    if window > 1:
        fig.add_scatter(
            x=xs,
            y=ys,
            mode="lines",
            name=f"{name} (raw)",
            legendgroup=key,
            line={"color": colour, "width": 1},
            opacity=RAW_OPACITY,
            hovertemplate=f"{name} raw: %{{y:.4f}}<extra></extra>",
            **where,
        )
    fig.add_scatter(
        x=xs,
        y=smooth(ys, window),
        mode="lines+markers" if len(ys) < 3 else "lines",
        name=name if window <= 1 else f"{name} (mean of {window})",
        legendgroup=key,
        line={"color": colour, "width": 2.2},
        hovertemplate=f"{name}: %{{y:.4f}}<extra></extra>",
        **where,
    )


def _x_title(x: str) -> str:
    return X_TITLES.get(x, x)


def x_label(x: str) -> str:
    """Short name of an x-axis choice, for a control (`wall_time_s` -> `time`)."""
    return "time" if x == "wall_time_s" else _x_title(x)


def is_share(key: str) -> bool:
    """Whether a metric is a share in [0, 1] (accuracies, recognisability, coverage), drawn on a 0-1 axis."""
    return any(word in key for word in ("accuracy", "recognisability", "coverage"))


def _legend_below(fig: go.Figure) -> None:
    """Legend under the plot: beside a title it collides with it in a half-width column."""
    fig.update_layout(
        legend={"orientation": "h", "y": -0.28, "yanchor": "top", "x": 0.0, "xanchor": "left"}, margin={"b": 10, "t": 40}
    )


def loss_figure(metrics: pd.DataFrame, window: int = 1, x: str = "step") -> go.Figure:
    """D and G losses against `x`: raw (faint) and a trailing rolling mean over `window` logged rows."""
    fig = _figure(360, "Losses")
    for key, colour in (("d_loss", D_COLOUR), ("g_loss", G_COLOUR)):
        _add_raw_and_smoothed(fig, metrics, key, x, window, colour)
    fig.update_layout(xaxis_title=_x_title(x), yaxis_title="loss", hovermode="x unified")
    _legend_below(fig)
    return fig


def discriminator_figure(metrics: pd.DataFrame, window: int = 1, x: str = "step", loss: str = "bce") -> go.Figure:
    """D(x) and D(G(z)): probabilities for the bce loss (0.5 = D cannot tell), raw scores for hinge (0 = undecided)."""
    fig = _figure(360, "Discriminator outputs")
    for key, colour in (("d_real", D_COLOUR), ("d_fake", G_COLOUR)):
        _add_raw_and_smoothed(fig, metrics, key, x, window, colour)
    undecided = 0.0 if loss == "hinge" else 0.5
    fig.add_hline(y=undecided, line_dash="dot", line_color=MUTED)
    yaxis = {"title": "score" if loss == "hinge" else "probability"}
    if loss != "hinge":
        yaxis["range"] = [-0.02, 1.02]
    fig.update_layout(xaxis_title=_x_title(x), yaxis=yaxis, hovermode="x unified")
    _legend_below(fig)
    return fig


def metrics_figure(
    metrics: pd.DataFrame, keys: Sequence[str], x: str = "step", title: str | None = None, cols: int = 4
) -> go.Figure:
    """One small panel per key (e.g. the quality metrics), markers joined by lines; shares on a 0-1 axis."""
    keys = list(keys)
    cols = max(1, min(cols, len(keys)))
    rows = max(1, math.ceil(len(keys) / cols))
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=[metric_title(k) for k in keys], horizontal_spacing=0.07)
    for i, key in enumerate(keys):
        xs, ys = _series(metrics, key, x)
        where = {"row": i // cols + 1, "col": i % cols + 1}
        fig.add_scatter(
            x=xs,
            y=ys,
            mode="lines+markers",
            name=metric_title(key),
            line={"color": PALETTE[i % len(PALETTE)], "width": 2},
            showlegend=False,
            hovertemplate=f"{metric_title(key)}: %{{y:.4g}}<extra></extra>",
            **where,
        )
        if is_share(key):
            fig.update_yaxes(range=[-0.02, 1.02], **where)
    fig.update_layout(
        template=TEMPLATE, height=70 + 230 * rows, title={"text": title} if title else None, uirevision="keep", margin={"t": 60}
    )
    fig.update_xaxes(title_text=_x_title(x), row=rows)
    fig.update_annotations(font={"color": INK, "size": 13})
    return fig


def classifier_figure(metrics: pd.DataFrame) -> go.Figure:
    """Training and validation loss and accuracy per epoch, side by side."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=["Loss", "Accuracy"], horizontal_spacing=0.09)
    for col, (train_key, val_key) in enumerate((("loss", "val_loss"), ("accuracy", "val_accuracy")), start=1):
        for key, colour, name in ((train_key, TRAIN_COLOUR, "training"), (val_key, VAL_COLOUR, "validation")):
            xs, ys = _series(metrics, key, "epoch")
            if ys.empty:
                continue
            fig.add_scatter(
                x=xs,
                y=ys,
                mode="lines+markers",
                name=name,
                legendgroup=name,
                showlegend=col == 1,
                line={"color": colour, "width": 2.2},
                hovertemplate=f"epoch %{{x}} {name} {metric_title(train_key)}: %{{y:.4f}}<extra></extra>",
                row=1,
                col=col,
            )
    fig.update_layout(template=TEMPLATE, height=360, uirevision="keep")
    _legend_below(fig)
    fig.update_xaxes(title_text="epoch", dtick=1 if len(metrics) <= 12 else None)
    fig.update_yaxes(range=[0, 1.02], row=1, col=2)
    return fig


def confusion_figure(labels: Sequence[str], matrix: Sequence[Sequence[int]], normalise: bool = True) -> go.Figure:
    """The confusion matrix (rows true, columns predicted) as a heatmap; `normalise` shows each row's shares."""
    counts = np.asarray(matrix, dtype=np.float64).reshape(len(labels), len(labels))
    support = counts.sum(axis=1, keepdims=True)
    shares = np.divide(counts, support, out=np.zeros_like(counts), where=support > 0)
    z = shares if normalise else counts
    text = [[f"{v:.0%}" if normalise else f"{int(v):,}" for v in row] for row in z]
    labels = list(labels)
    fig = _figure(max(320, 34 * len(labels) + 140))
    fig.add_heatmap(
        z=z,
        x=labels,
        y=labels,
        text=text,
        texttemplate="%{text}" if len(labels) <= 25 else None,
        colorscale=[[0.0, "#fbfaf7"], [0.5, "#edae49"], [1.0, "#b5533c"]],
        zmin=0,
        zmax=1 if normalise else max(1.0, float(z.max())),
        customdata=counts,
        hovertemplate="true %{y} → predicted %{x}: %{customdata:,} images<extra></extra>",
        colorbar={"title": {"text": "share of row" if normalise else "images"}, "thickness": 12},
    )
    fig.update_layout(
        xaxis={"title": "predicted", "side": "bottom", "tickangle": -45},
        yaxis={"title": "true", "autorange": "reversed"},
        plot_bgcolor="#ffffff",
    )
    return fig


def compare_figure(
    runs: Mapping[str, pd.DataFrame], keys: Sequence[str], x: str = "epoch_progress", window: int = 1, cols: int = 2
) -> go.Figure:
    """One panel per metric key with one line per run (the same colour for a run in every panel)."""
    keys = list(keys)
    cols = max(1, min(cols, len(keys)))
    rows = max(1, math.ceil(len(keys) / cols))
    fig = make_subplots(
        rows=rows, cols=cols, subplot_titles=[metric_title(k) for k in keys], horizontal_spacing=0.08, vertical_spacing=0.14
    )
    for r, (run_id, metrics) in enumerate(runs.items()):
        colour = PALETTE[r % len(PALETTE)]
        shown = False
        for i, key in enumerate(keys):
            xs, ys = _series(metrics, key, x)
            if ys.empty:
                continue
            fig.add_scatter(
                x=xs,
                y=smooth(ys, window) if not key.startswith("eval_") else ys,
                mode="lines+markers" if len(ys) < 12 else "lines",
                name=run_id,
                legendgroup=run_id,
                showlegend=not shown,
                line={"color": colour, "width": 2},
                hovertemplate=f"{run_id} · {metric_title(key)}: %{{y:.4g}}<extra></extra>",
                row=i // cols + 1,
                col=i % cols + 1,
            )
            shown = True
    for i, key in enumerate(keys):
        if is_share(key):
            fig.update_yaxes(range=[0, 1.02], row=i // cols + 1, col=i % cols + 1)
    fig.update_layout(
        template=TEMPLATE,
        height=90 + 280 * rows,
        uirevision="keep",
        margin={"t": 70},
        legend={"y": 1.0 + 0.12 / rows, "yanchor": "bottom"},
        hovermode="x unified",
    )
    fig.update_xaxes(title_text=_x_title(x), row=rows)
    fig.update_annotations(font={"color": INK, "size": 13})
    return fig


# sample grids ------------------------------------------------------------------------------------------
SAMPLE_PAD_PX = 2  # white border around each cell of a sample grid (lookbook.train.callbacks.make_grid's pad_px)


def grid_rows(grid_uint8: np.ndarray, n_rows: int, pad_px: int = SAMPLE_PAD_PX) -> list[np.ndarray]:
    """The `n_rows` rows of a sample grid image (H, W, 3), each with the white border around it."""
    cell = (grid_uint8.shape[0] - pad_px) // max(n_rows, 1)
    if n_rows < 1 or cell <= pad_px:
        raise ValueError(f"a {grid_uint8.shape[0]} px tall grid cannot hold {n_rows} rows")
    return [grid_uint8[r * cell : (r + 1) * cell + pad_px] for r in range(n_rows)]


def png_data_uri(image_uint8: np.ndarray) -> str:
    """A `data:image/png;base64,...` URI of an image (what a dataframe's image column shows)."""
    import base64
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(image_uint8).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def sample_rows(
    grid_uint8: np.ndarray,
    categories: Sequence[str],
    counts: Mapping[str, int] | None = None,
    figures: Mapping[str, Mapping[str, Any]] | None = None,
) -> pd.DataFrame:
    """One row per category of a conditional sample grid: category, its name, training images, the row as a PNG URI,
    and (from `figures`, per category: "asked_for", "diversity") how its judged garments did, NaN when unjudged.

    With `counts` (images per category in the dataset), categories the dataset no longer holds are left out.
    """
    from lookbook.data.taxonomy import display_name

    rows = []
    for category, strip in zip(categories, grid_rows(grid_uint8, len(categories))):
        count = None if counts is None else int(counts.get(category, 0))
        if count == 0:
            continue
        judged = (figures or {}).get(category) or {}
        rows.append(
            {
                "category": category,
                "garment": display_name(category),
                "images": count,
                "samples": png_data_uri(strip),
                "asked_for": _or_nan(judged.get("asked_for")),
                "diversity": _or_nan(judged.get("diversity")),
            }
        )
    return pd.DataFrame(rows, columns=["category", "garment", "images", "samples", "asked_for", "diversity"])


def _or_nan(value: Any) -> float:
    return float(value) if isinstance(value, (int, float)) else float("nan")
