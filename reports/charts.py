"""Plotly charts of the report: the figure wrapper, the house layout and the shared chart helpers."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

# ten distinguishable colours (Tableau 10), so that a chart of up to ten series never repeats one
PALETTE = [
    "#4e79a7",
    "#f28e2b",
    "#59a14f",
    "#e15759",
    "#76b7b2",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
]


@dataclass
class Chart:
    id: str
    title: str
    note: str
    figure: go.Figure

    @property
    def json(self) -> str:
        # "</" must not appear inside a <script> element
        return self.figure.to_json().replace("</", "<\\/")

    @property
    def points(self) -> int:
        """Data points drawn: non-null y values, or non-null cells of a heatmap."""
        total = 0
        for t in self.figure.data:
            values = t.z if getattr(t, "z", None) is not None else t.y
            if values is not None:
                flat = np.asarray(
                    [
                        np.nan if v is None else v
                        for v in np.ravel(np.asarray(values, dtype=object))
                    ],
                    dtype=float,
                )
                total += int(np.count_nonzero(~np.isnan(flat)))
        return total


def layout(y_title: str, x_title: str = "Month") -> dict:
    return {
        "margin": {"l": 60, "r": 20, "t": 10, "b": 50},
        "xaxis": {"title": {"text": x_title}},
        "yaxis": {"title": {"text": y_title}},
        "legend": {"orientation": "h", "y": -0.25},
        "hovermode": "x unified",
        "template": "plotly_white",
        "colorway": PALETTE,
    }


def by_series(rows: list[dict], series: str, x: str, y: str) -> dict[str, tuple[list, list]]:
    out: dict[str, tuple[list, list]] = {}
    for r in rows:
        xs, ys = out.setdefault(r[series], ([], []))
        xs.append(r[x])
        ys.append(r[y])
    return out


def value_with_n_chart(
    rows: list[dict], value: str, n: str, y_title: str, value_name: str, n_name: str, chart: Chart
) -> Chart:
    """A monthly line of a KPI with the bars of its n on a second axis."""
    months = [r["month"] for r in rows]
    fig = go.Figure(layout=layout(y_title))
    fig.add_scatter(x=months, y=[r[value] for r in rows], name=value_name, mode="lines+markers")
    fig.add_bar(x=months, y=[r[n] for r in rows], name=n_name, yaxis="y2", opacity=0.3)
    fig.update_layout(
        yaxis2={
            "title": {"text": n_name},
            "overlaying": "y",
            "side": "right",
            "showgrid": False,
            "rangemode": "tozero",
            "tickformat": ",d",
        }
    )
    chart.figure = fig
    return chart
