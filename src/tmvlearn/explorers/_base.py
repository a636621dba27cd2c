"""What every explorer shares: a styled figure redrawn by blitting, controls, alt text.

An explorer keeps its parameters in ``params``. Changing a control (or calling
:meth:`Explorer.update`) runs the model, updates the changed artists in place,
restores the figure's cached static background and draws only those artists, then
encodes one PNG for the image widget. Nothing opens a window: figures live on the
Agg canvas, and the widget shows them as a PNG image.
"""

from __future__ import annotations

import html
from typing import Any

import numpy as np

from tmvlearn.plots import encode_png, figure_bundle, plot_style

__all__ = ["Explorer"]


class Explorer:
    """Base class; subclasses implement ``_build``, ``_controls`` and ``_draw``.

    Attributes: ``figure`` (matplotlib Figure), ``controls`` (dict of ipywidgets,
    empty when ``interactive=False``), ``widget`` (the ipywidgets container, or
    None), ``alt_text`` (what the figure shows now), ``params`` (current values).
    :meth:`state` reports the current values and what the figure shows, as plain numbers.
    """

    name = "explorer"  # used in CSS classes: tmv-<name>-<control>

    def __init__(self, params: dict[str, Any], interactive: bool = True):
        self.params = dict(params)
        self.interactive = bool(interactive)
        self.controls: dict[str, Any] = {}
        self.widget = None
        self.alt_text = ""
        self._syncing = False
        self._background = None
        self._png: bytes | None = None  # the current figure as PNG, encoded once when first needed
        with plot_style():
            self.figure, self._dynamic = self._build()
        for artist in self._dynamic:
            artist.set_animated(True)
        self._dynamic.sort(key=lambda a: a.get_zorder())
        self.params = self._validate(self.params)
        if self.interactive:
            self._make_widget()
        self._refresh()

    # --- for subclasses -----------------------------------------------------------
    def _build(self):  # -> (Figure, list of artists that change)
        raise NotImplementedError

    def _controls(self) -> dict[str, Any]:  # name -> ipywidgets control
        raise NotImplementedError

    def _draw(self) -> str:  # update the artists from self.params; return the alt text
        raise NotImplementedError

    def _validate(self, params: dict[str, Any]) -> dict[str, Any]:
        return params

    def _extra_widgets(self) -> list[Any]:
        return []

    def _shown(self) -> dict[str, Any]:  # what the figure shows now, read back from its artists
        return {}

    # --- public -------------------------------------------------------------------
    def update(self, **changes: Any) -> None:
        """Set parameters (same names as the controls), then redraw once."""
        unknown = sorted(set(changes) - set(self.params))
        if unknown:
            raise ValueError(f"{type(self).__name__} has no parameter {', '.join(map(repr, unknown))}; "
                             f"parameters: {', '.join(self.params)}.")
        new = self._validate({**self.params, **changes})
        self.params = new
        if self.controls:
            self._syncing = True
            try:
                for key, control in self.controls.items():
                    if control.value != new[key]:
                        control.value = new[key]
            finally:
                self._syncing = False
        self._refresh()

    def state(self) -> dict[str, Any]:
        """The current parameter values and the key numbers the figure shows now.

        The parameters (the control values, as in ``params``) come first, then what each explorer
        draws, read back from the figure's artists (so it is what a reader sees): a fresh dict of
        plain Python values (numpy arrays for curves) on every call.
        """
        return {**self.params, **self._shown()}

    # --- machinery ----------------------------------------------------------------
    def _make_widget(self) -> None:
        import ipywidgets as w

        self.controls = self._controls()
        for key, control in self.controls.items():
            control.add_class(f"tmv-{self.name}-{key.replace('_', '-')}")
            control.add_class("tmv-control")
            control.observe(self._on_change(key), names="value")
        self._image = w.Image(format="png", layout=w.Layout(max_width="100%", height="auto"))
        self._image.add_class(f"tmv-{self.name}-figure")
        self._caption = w.HTML()
        self._caption.add_class(f"tmv-{self.name}-alt")
        box = w.HBox(list(self.controls.values()), layout=w.Layout(flex_flow="row wrap"))
        self.widget = w.VBox([box, self._image, self._caption, *self._extra_widgets()])
        self.widget.add_class("tmv-explorer")
        self.widget.add_class(f"tmv-{self.name}-explorer")

    def _on_change(self, key: str):
        def handler(change):
            if not self._syncing:
                self.update(**{key: change["new"]})
        return handler

    def _refresh(self) -> None:
        self.alt_text = self._draw()
        canvas = self.figure.canvas
        with plot_style():
            if self._background is None:
                canvas.draw()
                self._background = canvas.copy_from_bbox(self.figure.bbox)
            else:
                canvas.restore_region(self._background)
            for artist in self._dynamic:
                if artist.get_visible():
                    self.figure.draw_artist(artist)
        self._png = None
        if self.interactive:
            self._image.value = self.png()
            self._caption.value = f"<small><b>Figure:</b> {html.escape(self.alt_text)}</small>"

    def png(self) -> bytes:
        """The figure as it is now, as PNG bytes (the widget and the static fallback share them)."""
        if self._png is None:
            self._png = encode_png(np.asarray(self.figure.canvas.buffer_rgba()), fast=True)
        return self._png

    def _repr_mimebundle_(self, include=None, exclude=None):
        data, meta = figure_bundle(self.figure, self.alt_text, png=self.png())
        if self.interactive and self.widget is not None:
            view = self.widget._repr_mimebundle_()
            view = view[0] if isinstance(view, tuple) else view
            data = {**view, **data}  # the widget view, plus the static PNG and alt text
        return data, meta

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self.alt_text}>"


def draw_size_ranges(ax, ranges) -> None:
    """Published size ranges (Table 2) as hatched horizontal bars, one row per vesicle type."""
    from tmvlearn.plots import VESICLE_STYLES

    types = list(ranges.index)
    for i, vtype in enumerate(types):
        style = VESICLE_STYLES[vtype]
        lo, hi = ranges.at[vtype, "size_min_nm"], ranges.at[vtype, "size_max_nm"]
        ax.barh(i, hi - lo, left=lo, height=0.55, color=style["color"], alpha=0.85,
                hatch=style["hatch"], edgecolor="black", linewidth=0.6)
        big_lo, big_hi = ranges.at[vtype, "large_size_min_nm"], ranges.at[vtype, "large_size_max_nm"]
        if np.isfinite(big_lo) and np.isfinite(big_hi):
            ax.barh(i, big_hi - big_lo, left=big_lo, height=0.25, facecolor="white",
                    hatch=style["hatch"], edgecolor=style["color"], linewidth=0.8)
            ax.text(big_hi * 1.08, i, "large\noncosomes", va="center", fontsize=6.5)
    ax.set_yticks(range(len(types)), types)
    ax.set_ylim(len(types) - 0.4, -0.6)
    ax.set_ylabel("Vesicle type")
    ax.set_xscale("log")
    ax.grid(axis="y", visible=False)


def size_figure(title: str, ranges, lower: str, side: str):
    """The layout both size-based explorers share: Table 2's ranges on top, a log-diameter panel
    ``lower`` below it (same x axis) and a ``side`` panel on the right. Returns (fig, axes)."""
    from tmvlearn.plots import new_figure

    fig, ax = new_figure(mosaic=[["ranges", side], [lower, side]], width_ratios=[2.6, 1],
                         height_ratios=[1, 1.7])
    fig.suptitle(title)
    draw_size_ranges(ax["ranges"], ranges)
    ax["ranges"].set_title("Size ranges (Zhu et al. 2021, Table 2)", fontsize=9, loc="left")
    ax["ranges"].tick_params(labelbottom=False)
    ax[lower].sharex(ax["ranges"])
    ax[lower].set_xscale("log")
    return fig, ax


class PercentBars:
    """One horizontal bar per vesicle type showing a percentage, with its value printed beside it."""

    def __init__(self, ax, types, xlabel: str, title: str):
        from tmvlearn.plots import VESICLE_STYLES

        self.types = list(types)
        self.bars = ax.barh(range(len(types)), [0] * len(types), height=0.6, edgecolor="black",
                            color=[VESICLE_STYLES[t]["color"] for t in types])
        for bar, vtype in zip(self.bars, types, strict=True):
            bar.set_hatch(VESICLE_STYLES[vtype]["hatch"])
        self.labels = [ax.text(0, i, "", va="center", fontsize=8) for i in range(len(types))]
        ax.set_yticks(range(len(types)), types)
        ax.set_ylim(len(types) - 0.5, -0.5)
        ax.set_xlim(0, 125)
        ax.set_xticks([0, 25, 50, 75, 100])
        ax.set_xlabel(xlabel)
        ax.set_ylabel("Vesicle type")
        ax.set_title(title, fontsize=9, loc="left")
        ax.grid(axis="y", visible=False)

    @property
    def artists(self) -> list:
        return [*self.bars, *self.labels]

    def values(self) -> dict[str, float]:
        """The percentage each bar shows now, by vesicle type."""
        return {vtype: float(bar.get_width()) for vtype, bar in zip(self.types, self.bars, strict=True)}

    def set_values(self, percents) -> None:
        for bar, label, value in zip(self.bars, self.labels, percents, strict=True):
            bar.set_width(value)
            label.set_x(value + 2)
            label.set_text(f"{value:.0f}%")
