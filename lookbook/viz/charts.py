"""Plotly figures of dataset statistics (the DataFrames of lookbook.data.stats), in one house template."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.subplots import make_subplots

from lookbook.data.stats import ATTRIBUTE_TITLES, DF2_ATTRIBUTES
from lookbook.data.taxonomy import SLOTS, slot_for

TEMPLATE = "lookbook"
FONT = "Inter, 'Source Sans 3', 'Helvetica Neue', Arial, sans-serif"
INK = "#2b2d42"
MUTED = "#8d99ae"
GRID = "#ebe7e0"
# muted fashion palette: navy, rose, mustard, teal, sage, mauve, camel, slate, terracotta, plum
PALETTE: tuple[str, ...] = (
    "#2e4057",
    "#d1495b",
    "#edae49",
    "#00798c",
    "#66a182",
    "#8d6a9f",
    "#c98b6b",
    "#5c6b7a",
    "#b5533c",
    "#6d2e46",
)
SLOT_COLOURS: dict[str, str] = {slot: PALETTE[i] for i, slot in enumerate(SLOTS)} | {"none": "#b8b8b8"}
SPLIT_COLOURS: dict[str, str] = {"train": PALETTE[0], "validation": PALETTE[2], "test": PALETTE[3], "all": PALETTE[6]}
SOURCE_COLOURS: dict[str, str] = {"deepfashion2": PALETTE[0], "fpid": PALETTE[1], "folder": PALETTE[4]}
OUTCOME_COLOURS: dict[str, str] = {"skipped": PALETTE[1], "repaired": PALETTE[4]}
# FPID baseColour names -> swatches, so the colour breakdown shows the colours themselves
COLOUR_SWATCHES: dict[str, str] = {
    "black": "#1b1b1b",
    "white": "#ffffff",
    "blue": "#2f6db5",
    "brown": "#7b4a2a",
    "grey": "#8a8a8a",
    "red": "#c8102e",
    "green": "#2e8b57",
    "pink": "#f4a6c0",
    "navy blue": "#1f2a52",
    "purple": "#6a3d9a",
    "silver": "#c0c0c0",
    "yellow": "#f2d13c",
    "beige": "#e3d5b8",
    "gold": "#c9a227",
    "maroon": "#7a1f2b",
    "orange": "#f28c28",
    "olive": "#6b7b2c",
    "multi": "#a58fd1",
    "cream": "#f3ead3",
    "steel": "#7b8a9a",
    "charcoal": "#36454f",
    "peach": "#f6b897",
    "off white": "#f7f3ea",
    "skin": "#e7bfa0",
    "lavender": "#b9a7de",
    "grey melange": "#a3a3a3",
    "khaki": "#bdb07b",
    "magenta": "#c0288c",
    "teal": "#127a7a",
    "tan": "#c8a27a",
    "mustard": "#d8a31a",
    "bronze": "#a0682c",
    "copper": "#b2643a",
    "turquoise blue": "#2bb3c0",
    "rust": "#a9471c",
    "burgundy": "#6c1a2c",
    "metallic": "#9ea7ad",
    "coffee brown": "#5b3a29",
    "mauve": "#b784a7",
    "rose": "#d86a80",
    "nude": "#e3bc9a",
    "sea green": "#3aa17e",
    "mushroom brown": "#9b8676",
    "taupe": "#8b7d6b",
    "lime green": "#8cc63f",
    "fluorescent green": "#7cfc3c",
}


def _register_template() -> None:
    base = pio.templates["plotly_white"]
    template = go.layout.Template(base)
    template.layout.update(
        font={"family": FONT, "size": 13, "color": INK},
        colorway=list(PALETTE),
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        title={"font": {"size": 15, "color": INK}, "x": 0.0, "xanchor": "left"},
        legend={
            "orientation": "h",
            "yanchor": "bottom",
            "y": 1.02,
            "xanchor": "right",
            "x": 1.0,
            "title": {"text": ""},
            "traceorder": "normal",
        },
        bargap=0.25,
        hoverlabel={"font": {"family": FONT}},
    )
    template.layout.xaxis.update(gridcolor=GRID, zerolinecolor=GRID, linecolor=GRID, tickfont={"color": MUTED})
    template.layout.yaxis.update(gridcolor=GRID, zerolinecolor=GRID, linecolor=GRID, tickfont={"color": MUTED})
    pio.templates[TEMPLATE] = template


_register_template()


def _figure(height_px: int, title: str | None = None) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(template=TEMPLATE, height=height_px, title={"text": title} if title else None)
    return fig


def _add_hbar(fig: go.Figure, name: str, y: Any, x: Any, colour: str, hovertemplate: str, **extra: Any) -> None:
    """Add one horizontal bar trace: a layer of a stacked bar chart."""
    fig.add_bar(y=y, x=x, orientation="h", name=name, marker_color=colour, hovertemplate=hovertemplate, **extra)


def _fmt(n: float) -> str:
    return f"{n:,.0f}"


def split_figure(table: pd.DataFrame) -> go.Figure:
    """Images, boxes and landmarks per split, one panel each, coloured by source (from stats.split_table)."""
    table = table[table["source"] != "total"]
    metrics = [("images", "Unique images"), ("boxes", "Garment boxes"), ("landmarks", "Labelled landmarks")]
    fig = make_subplots(rows=1, cols=3, subplot_titles=[t for _, t in metrics], horizontal_spacing=0.07)
    for source, part in table.groupby("source", sort=False):
        colour = SOURCE_COLOURS.get(str(source), PALETTE[7])
        for col, (metric, _) in enumerate(metrics, start=1):
            fig.add_bar(
                x=part["split"],
                y=part[metric],
                name=str(source),
                legendgroup=str(source),
                showlegend=col == 1,
                marker_color=colour,
                text=[_fmt(v) for v in part[metric]],
                textposition="outside",
                textfont={"size": 11, "color": INK},
                cliponaxis=False,
                hovertemplate=f"{source} %{{x}}: %{{y:,}}<extra></extra>",
                row=1,
                col=col,
            )
    fig.update_layout(
        template=TEMPLATE,
        height=340,
        barmode="group",
        margin={"t": 40, "b": 40},
        legend={"y": -0.12, "yanchor": "top", "x": 0.5, "xanchor": "center"},
        uniformtext={"minsize": 10, "mode": "show"},
    )
    fig.update_yaxes(rangemode="tozero", showticklabels=False)
    return fig


def df2_category_figure(counts: pd.DataFrame) -> go.Figure:
    """Garments per DeepFashion2 category, stacked by split (from stats.df2_category_counts)."""
    order = counts.groupby("df2_category", sort=False)["count"].sum().sort_values().index.tolist()
    fig = _figure(max(320, 26 * len(order) + 80))
    for split, part in counts.groupby("split", sort=False):
        part = part.set_index("df2_category").reindex(order)
        colour = SPLIT_COLOURS.get(str(split), PALETTE[7])
        _add_hbar(fig, str(split), order, part["count"], colour, f"%{{y}} ({split}): %{{x:,}}<extra></extra>")
    fig.update_layout(barmode="stack", xaxis_title="garments")
    return fig


def category_figure(counts: pd.DataFrame) -> go.Figure:
    """Records per unified category, coloured by outfit slot (from stats.category_counts)."""
    table = counts.iloc[::-1]
    fig = _figure(max(320, 22 * len(table) + 80))
    for slot in [*SLOTS, "none"]:
        part = table[table["slot"] == slot]
        if part.empty:
            continue
        hover = "%{y}: %{x:,} (%{customdata}%)<extra></extra>"
        share = (part["share"] * 100).round(1)
        _add_hbar(fig, slot, part["display"], part["count"], SLOT_COLOURS[slot], hover, customdata=share)
    fig.update_layout(
        barmode="stack", xaxis_title="garments", yaxis={"categoryorder": "array", "categoryarray": list(table["display"])}
    )
    return fig


def category_source_figure(counts: pd.DataFrame) -> go.Figure:
    """Records per unified category, stacked by source root (from stats.category_source_counts)."""
    order = counts.groupby("display", sort=False)["count"].sum().sort_values().index.tolist()
    fig = _figure(max(320, 22 * len(order) + 80))
    for i, (name, part) in enumerate(counts.groupby("source_name", sort=True)):
        part = part.set_index("display").reindex(order)
        hover = f"%{{y}} ({name}): %{{x:,}}<extra></extra>"
        _add_hbar(fig, str(name), order, part["count"].fillna(0), PALETTE[i % len(PALETTE)], hover)
    fig.update_layout(barmode="stack", xaxis_title="garments", legend={"orientation": "h", "y": 1.02, "yanchor": "bottom"})
    return fig


def slot_figure(counts: pd.DataFrame) -> go.Figure:
    """Share of records per outfit slot as a donut (from stats.slot_counts)."""
    fig = _figure(320)
    fig.add_pie(
        labels=counts["slot"],
        values=counts["count"],
        hole=0.55,
        sort=False,
        marker={"colors": [SLOT_COLOURS.get(s, PALETTE[7]) for s in counts["slot"]], "line": {"color": "#ffffff", "width": 2}},
        textinfo="label+percent",
        hovertemplate="%{label}: %{value:,}<extra></extra>",
    )
    fig.update_layout(
        showlegend=False,
        annotations=[{"text": f"{_fmt(counts['count'].sum())}<br>garments", "showarrow": False, "font": {"size": 14}}],
    )
    return fig


def attribute_figure(counts: pd.DataFrame) -> go.Figure:
    """DeepFashion2 scale, occlusion, zoom-in, viewpoint and shop/user, one small panel each (from stats.attribute_counts)."""
    attrs = [a for a in [*DF2_ATTRIBUTES, "df2_source"] if (counts["attribute"] == a).any()]
    fig = make_subplots(
        rows=1, cols=len(attrs), subplot_titles=[ATTRIBUTE_TITLES.get(a, a) for a in attrs], horizontal_spacing=0.05
    )
    for col, attr in enumerate(attrs, start=1):
        part = counts[counts["attribute"] == attr]
        fig.add_bar(
            x=part["label"],
            y=part["count"],
            marker_color=[PALETTE[(col - 1 + i) % len(PALETTE)] for i in range(len(part))]
            if attr == "df2_source"
            else PALETTE[col - 1],
            text=[_fmt(v) for v in part["count"]],
            textposition="outside",
            textfont={"size": 11, "color": INK},
            cliponaxis=False,
            showlegend=False,
            hovertemplate="%{x}: %{y:,}<extra></extra>",
            row=1,
            col=col,
        )
    fig.update_layout(template=TEMPLATE, height=300, margin={"t": 60}, uniformtext={"minsize": 10, "mode": "show"})
    fig.update_yaxes(rangemode="tozero", showticklabels=False)
    return fig


def article_type_figure(counts: pd.DataFrame, head_share: float = 0.8) -> go.Figure:
    """FPID articleType counts on a log axis, most frequent first, so the long tail stays visible (stats.article_type_counts).

    A dotted line marks where the most frequent types reach `head_share` of all products.
    """
    fig = _figure(420)
    slots = counts["category"].map(slot_for)
    fig.add_bar(
        x=counts["article_type"],
        y=counts["count"],
        marker_color=[SLOT_COLOURS.get(s, SLOT_COLOURS["none"]) for s in slots],
        customdata=list(zip(counts["rank"], counts["category"], (counts["cumulative_share"] * 100).round(1))),
        hovertemplate=(
            "#%{customdata[0]} %{x}: %{y:,} → %{customdata[1]}<br>top %{customdata[0]} types: %{customdata[2]}%<extra></extra>"
        ),
        showlegend=False,
    )
    reach = counts.index[counts["cumulative_share"] >= head_share]
    if len(reach) and len(counts) > 3:
        k = int(counts.loc[reach[0], "rank"])
        fig.add_vline(x=k - 0.5, line_dash="dot", line_color=MUTED)
        fig.add_annotation(
            x=k - 0.5,
            y=1.0,
            yref="paper",
            xanchor="left",
            showarrow=False,
            text=f" top {k} of {len(counts)} types = {head_share:.0%} of products",
            font={"color": MUTED, "size": 12},
        )
    top = max(int(counts["count"].max()), 1)
    ticks = [m * 10**k for k in range(int(math.log10(top)) + 2) for m in (1, 2, 5) if m * 10**k <= top * 2]
    fig.update_layout(
        yaxis={"type": "log", "title": "products (log scale)", "range": [-0.1, math.log10(top) + 0.3], "tickvals": ticks},
        xaxis={
            "tickangle": -60,
            "tickfont": {"size": 10},
            "categoryorder": "array",
            "categoryarray": list(counts["article_type"]),
        },
        bargap=0.15,
    )
    # a legend of slot colours, drawn as empty traces so every bar keeps its own colour
    for slot in [s for s in [*SLOTS, "none"] if s in set(slots)]:
        fig.add_bar(x=[None], y=[None], name=slot, marker_color=SLOT_COLOURS[slot], showlegend=True)
    return fig


def breakdown_figure(tables: dict[str, pd.DataFrame], max_values: int = 15) -> go.Figure:
    """FPID gender / season / colour breakdowns side by side (from stats.fpid_breakdown); colours drawn as swatches."""
    names = [n for n, t in tables.items() if not t.empty]
    widths = [1.0 if n != "base_colour" else 2.0 for n in names]
    fig = make_subplots(
        rows=1,
        cols=len(names),
        subplot_titles=[n.replace("_", " ").capitalize() for n in names],
        column_widths=widths,
        horizontal_spacing=0.06,
    )
    for col, name in enumerate(names, start=1):
        table = tables[name].head(max_values)
        if name == "base_colour":
            colours = [COLOUR_SWATCHES.get(v.lower(), "#d9d9d9") for v in table["value"]]
        else:
            colours = [PALETTE[i % len(PALETTE)] for i in range(len(table))]
        fig.add_bar(
            x=table["value"],
            y=table["count"],
            marker={"color": colours, "line": {"color": "#9a9a9a", "width": 0.8}},
            customdata=(table["share"] * 100).round(1),
            hovertemplate="%{x}: %{y:,} (%{customdata}%)<extra></extra>",
            showlegend=False,
            row=1,
            col=col,
        )
    fig.update_layout(template=TEMPLATE, height=340, margin={"t": 50})
    fig.update_xaxes(tickangle=-45)
    return fig


def report_figure(table: pd.DataFrame) -> go.Figure:
    """Skipped and repaired items by reason (from stats.report_table)."""
    table = table.iloc[::-1]
    fig = _figure(max(200, 30 * len(table) + 80))
    for outcome, part in table.groupby("outcome", sort=False):
        colour = OUTCOME_COLOURS.get(str(outcome), PALETTE[7])
        _add_hbar(fig, str(outcome), part["reason"], part["count"], colour, f"{outcome}: %{{y}}: %{{x:,}}<extra></extra>")
    fig.update_layout(barmode="stack", xaxis_title="items")
    return fig
