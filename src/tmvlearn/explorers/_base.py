"""What every explorer shares: a styled figure redrawn by blitting, controls, alt text.

An explorer keeps its parameters in ``params``. Changing a control (or calling
:meth:`Explorer.update`) runs the model, updates the changed artists in place,
restores the figure's cached static background and draws only those artists, then
encodes one PNG for the image widget. Nothing opens a window: figures live on the
Agg canvas, and the widget shows them as a PNG image.

The static background is the costly part (a full draw: layout, every label's text). Explorers
whose static part is drawn from the same inputs (:meth:`Explorer._static_key`: the same data, seed,
style) share one drawing in a process, pixel for pixel: a lesson that shows the same explorer twice
draws its background once.
"""

from __future__ import annotations

import html
from collections import OrderedDict
from typing import Any, NamedTuple

import numpy as np

from tmvlearn.plots import DPI, css_size, encode_png, figure_bundle, plot_style

__all__ = ["Explorer", "ROUND_STEPS", "round_values", "round_log_slider", "set_control"]

#: Every explorer slider's width, label and readout included: about 14 em of track (at least 5 px a
#: step for the 30-odd steps of a log slider), where the default left 53 px.
SLIDER_WIDTH = "30em"

#: Round numbers per decade for log-scale sliders: close to even steps on a log axis (like the
#: Renard R10 series), rounded so they read well, and holding every value the lessons name
#: (40, 100, 160, 1000 nm; 10,000, 20,000 and 100,000 g).
ROUND_STEPS = (1, 1.25, 1.6, 2, 2.5, 3, 4, 5, 6, 8)


def round_values(lo: float, hi: float, steps=ROUND_STEPS) -> list[float]:
    """The round numbers ``m x 10**k`` (``m`` in ``steps``) from ``lo`` to ``hi``, ascending.

    >>> round_values(30, 200)
    [30.0, 40.0, 50.0, 60.0, 80.0, 100.0, 125.0, 160.0, 200.0]
    """
    import math

    out = []
    for k in range(math.floor(math.log10(lo)) - 1, math.ceil(math.log10(hi)) + 1):
        for m in steps:
            v = float(f"{m}e{k}")  # parsed from decimal text: 160.0, not 160.00000000000003
            if lo * (1 - 1e-12) <= v <= hi * (1 + 1e-12):
                out.append(v)
    return out


def round_log_slider(value: float, lo: float, hi: float, description: str, fmt, steps=ROUND_STEPS, **kw):
    """A slider over the round values from ``lo`` to ``hi`` (log-spaced), showing ``fmt(value)``.

    Dragging or the arrow keys land only on round values, so a learner can set exactly the numbers
    a lesson names; a value set from code that is not one of them is added to the stops and kept
    as given.
    """
    import ipywidgets as w

    values = round_values(lo, hi, steps)
    if value not in values:
        values = sorted({*values, float(value)})
    slider = w.SelectionSlider(options=[(fmt(v), v) for v in values], value=float(value),
                               description=description, continuous_update=True, **kw)
    slider._tmv_format = fmt  # for stops added later (set_control)
    return slider


def set_control(control, value) -> None:
    """Set ``control`` to ``value``; a selection slider first gains ``value`` as a stop if it lacks it."""
    import ipywidgets as w

    if isinstance(control, w.SelectionSlider):
        labels = {v: label for label, v in control.options}
        if value not in labels:  # (callers hold their explorer's _syncing: the reset is no change)
            fmt = getattr(control, "_tmv_format", str)
            control.options = [(labels.get(v, fmt(v)), v) for v in sorted({*labels, float(value)})]
    if control.value != value:
        control.value = value


class _Static(NamedTuple):
    """What drawing an explorer's static part leaves, to be shared by explorers with the same key."""

    size: tuple  # the canvas's (width, height) in pixels
    background: Any  # the whole canvas (a BufferRegion)
    regions: dict  # kept pieces of the figure in other looks (see Explorer._cache_regions), filled on demand
    positions: list  # each axes' (original, active) position, as the layout engine placed them


#: Static drawings by key (:meth:`Explorer._static_key`), most recently used last; a few at most.
_SHARED: OrderedDict = OrderedDict()
_SHARED_MAX = 4


def _rc_signature() -> str:
    """The rcParams in effect (inside :func:`plot_style`): they change how the static part is drawn.

    Read as the plain dict they are: reading ``rcParams["backend"]`` the usual way would choose a
    backend, importing pyplot, which an explorer never needs."""
    import matplotlib

    return repr(sorted(dict.items(matplotlib.rcParams)))


def content_digest(*parts: Any) -> str:
    """A digest of picklable values (data frames, arrays, graphs' node and edge lists): equal digests
    mean equal content, so explorers built from them draw the same static figure."""
    import hashlib
    import pickle

    return hashlib.sha256(pickle.dumps(parts, protocol=5)).hexdigest()


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
        self._regions: dict = {}  # pieces of the figure in other looks (see _cache_regions)
        self._png: bytes | None = None  # the current figure as PNG, encoded once when first needed
        self._static_png: bytes | None = None  # the same, compact, for the static copy in the output
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

    def _static_key(self) -> Any:
        """A hashable naming everything the static part of the figure is drawn from, or None.

        Explorers of one class with equal keys (and the same rcParams) share one drawing of the
        static part, so the key must cover every input of ``_build`` that shows in it (data, seed;
        for a figure whose layout engine places the axes, also the parameters). None: never shared.
        """
        return None

    def _cache_regions(self) -> None:
        """Before the background is kept: draw static parts in their other looks and keep pieces.

        Redrawing many labels on every change is slow (text is the costliest thing Agg draws), so
        an explorer whose labels change look (greyed, highlighted) draws the figure once per look,
        keeps each label's pixels (:meth:`_copy_region`) in ``self._regions`` and pastes them in
        :meth:`_paint_regions`. It may instead keep a look when it is first needed:
        :meth:`_keep_look`.
        """

    def _paint_regions(self) -> None:
        """After the background is restored: paste the kept pieces the current state needs."""

    def _keep_look(self, style, look: str, boxes: dict, pad: float) -> None:
        """Draw the whole figure with ``style(look)`` applied, keep each of ``boxes`` (name -> artist)
        as ``self._regions[(name, look)]``, then ``style(None)`` and restore the background.

        For a look first needed after the background was drawn; the pieces are those an eager
        :meth:`_cache_regions` would have kept (the animated artists are in neither).
        """
        canvas = self.figure.canvas
        renderer = canvas.get_renderer()
        style(look)
        canvas.draw()
        for name, artist in boxes.items():
            self._regions[(name, look)] = self._copy_region(artist.get_window_extent(renderer), pad=pad)
        style(None)
        canvas.restore_region(self._background)

    def _copy_region(self, bbox, pad: float = 2.0):
        from matplotlib.transforms import Bbox

        pad *= self.figure.dpi / DPI  # pad is in CSS pixels; the canvas has DENSITY pixels to each
        box = Bbox.from_extents(bbox.x0 - pad, bbox.y0 - pad, bbox.x1 + pad, bbox.y1 + pad)
        return self.figure.canvas.copy_from_bbox(box)

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
                    set_control(control, new[key])
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
            if hasattr(control, "readout") and not control.layout.width:  # a slider: a track long
                control.layout.width = SLIDER_WIDTH  # enough for its steps, beside label and readout
            control.observe(self._on_change(key), names="value")
        # shown at its own CSS size (never stretched to the output's width, which blurs it), from a PNG
        # with DENSITY x the pixels (sharp on HiDPI screens); a narrow window may still shrink it,
        # keeping its proportions
        width = css_size(self.figure)[0]
        self._image = w.Image(format="png", width=str(width),
                              layout=w.Layout(width=f"{width}px", max_width="100%", height="auto",
                                              align_self="flex-start"))
        self._image.add_class(f"tmv-{self.name}-figure")
        self._caption = w.HTML()
        self._caption.add_class(f"tmv-{self.name}-alt")
        box = w.HBox(list(self.controls.values()), layout=w.Layout(flex_flow="row wrap"))
        from tmvlearn.shield import KeyboardShield

        # the shield keeps keys typed in the controls (arrows on a slider) away from JupyterLab
        self.widget = w.VBox([box, self._image, self._caption, *self._extra_widgets(),
                              KeyboardShield(".tmv-explorer")])
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
                self._draw_static()
            else:
                canvas.restore_region(self._background)
            self._paint_regions()
            for artist in self._dynamic:
                if artist.get_visible():
                    self.figure.draw_artist(artist)
        self._png = self._static_png = None
        if self.interactive:
            # the first frame is the compact copy the output keeps too (one encoding, not two); the
            # frames that follow a control are encoded quickly
            self._image.value = self.png() if self._image.value else self.static_png()
            # the widget's own line height (one control's height) would double-space the caption
            self._caption.value = (f'<div style="line-height:1.4;max-width:{self._image.width}px"><small>'
                                   f"<b>Figure:</b> {html.escape(self.alt_text)}</small></div>")

    def _draw_static(self) -> None:
        """Draw the static part and keep it as the background, or take it from an explorer with the
        same static key: the canvas then holds the same pixels, and the axes the same positions."""
        canvas = self.figure.canvas
        key = self._static_key()
        if key is not None:
            key = (type(self).__module__, type(self).__qualname__, key, _rc_signature())
        shared = _SHARED.get(key) if key is not None else None
        size = tuple(self.figure.bbox.size)
        if shared is not None and shared.size == size and len(shared.positions) == len(self.figure.axes):
            _SHARED.move_to_end(key)
            canvas.get_renderer()  # this figure's pixel buffer, at its size
            for ax, (original, active) in zip(self.figure.axes, shared.positions, strict=True):
                ax._set_position(original, which="original")  # as the layout engine placed them
                ax._set_position(active, which="active")
                ax.viewLim  # noqa: B018  (autoscaled, as a draw would)
            canvas.restore_region(shared.background)
            self._background, self._regions = shared.background, shared.regions
            return
        self._cache_regions()
        canvas.draw()
        self._background = canvas.copy_from_bbox(self.figure.bbox)
        if key is not None:
            positions = [(ax.get_position(original=True), ax.get_position()) for ax in self.figure.axes]
            _SHARED[key] = _Static(size, self._background, self._regions, positions)
            while len(_SHARED) > _SHARED_MAX:
                _SHARED.popitem(last=False)

    def png(self) -> bytes:
        """The figure as it is now, as PNG bytes: the widget's live frame (quick to encode)."""
        if self._png is None:
            self._png = encode_png(np.asarray(self.figure.canvas.buffer_rgba()), fast=True)
        return self._png

    def static_png(self) -> bytes:
        """The figure as it is now, as a compact PNG (256 colours): the copy a saved lesson keeps."""
        if self._static_png is None:
            self._static_png = encode_png(np.asarray(self.figure.canvas.buffer_rgba()))
        return self._static_png

    def _repr_mimebundle_(self, include=None, exclude=None):
        data, meta = figure_bundle(self.figure, self.alt_text, png=self.static_png())
        if self.interactive and self.widget is not None:
            view = self.widget._repr_mimebundle_()
            view = view[0] if isinstance(view, tuple) else view
            data = {**view, **data}  # the widget view, plus the static PNG and alt text
        return data, meta

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self.alt_text}>"


#: The first header of an explorer's table: the DataFrame's own row label, as a printed DataFrame
#: shows it (from 0), beside the dataset's ``id`` column (the table's numbering, from 1).
ROW_HEAD = ('<th title="the row label of the DataFrame (counts from 0, as in table.loc[row]); '
            'id is the dataset&#39;s own number, counted from 1">row</th>')


def table_rows_html(frame, columns) -> list[str]:
    """One ``<tr>`` per row of ``frame``: its row label (a header cell, as pandas prints the index),
    then ``columns`` (missing values empty), escaped; the head is :data:`ROW_HEAD` and ``columns``."""
    shown = frame[columns].astype(object).where(frame[columns].notna(), "")
    return [f'<tr><th scope="row">{html.escape(str(label))}</th>'
            + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>"
            for label, row in zip(frame.index, shown.itertuples(index=False), strict=True)]


def draw_size_ranges(ax, ranges) -> None:
    """Published size ranges (Table 2) as hatched horizontal bars, one row per vesicle type."""
    from tmvlearn.plots import VESICLE_STYLES, log_scale

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
    log_scale(ax, "x")
    ax.grid(axis="y", visible=False)


def size_figure(title: str, ranges, lower: str, side: str, status: str | None = None):
    """The layout both size-based explorers share: Table 2's ranges on top, a log-diameter panel
    ``lower`` below it (same x axis) and a ``side`` panel on the right; with ``status``, a strip of
    that name across the bottom for a line of text (so no annotation sits on the data). The axes
    have fixed places (:func:`tmvlearn.plots.place_axes`). Returns (fig, axes)."""
    from tmvlearn.plots import log_scale, new_figure, place_axes

    mosaic = [["ranges", side], [lower, side]] + ([[status, status]] if status else [])
    # (left, bottom, right, top) in CSS px: room for the type names on the left, the suptitle on top
    # and a bar's "100%" on the right; a status strip lifts the lower panels
    bottom, lower_top, ranges_bottom = (85.5, 267, 298) if status else (45, 252, 283)
    boxes = {"ranges": (124, ranges_bottom, 499, 404.5), lower: (124, bottom, 499, lower_top),
             side: (647, bottom, 791, 404.5)}
    if status:
        boxes[status] = (124, 4, 791, 36)
    fig, ax = new_figure(mosaic=mosaic, layout=None)
    place_axes(fig, ax, boxes)
    fig.suptitle(title)
    draw_size_ranges(ax["ranges"], ranges)
    ax["ranges"].set_title("Size ranges (Zhu et al. 2021, Table 2)", fontsize=9, loc="left")
    ax["ranges"].tick_params(labelbottom=False)
    ax[lower].sharex(ax["ranges"])
    log_scale(ax[lower], "x")  # (after sharex: a shared axis takes the scale, and its default labels)
    if status:
        ax[status].set_axis_off()
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
