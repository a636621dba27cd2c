"""The package's one plot style, and figures shown with alt text.

Every figure tmvlearn makes uses :data:`STYLE`: a fixed size and resolution,
the Okabe-Ito colour-blind-safe palette, and line styles, markers and hatches
that keep series apart when printed in greyscale. The style is applied with
:func:`plot_style` (a context manager) and never left in the global rcParams.
Figures are plain :class:`matplotlib.figure.Figure` objects on the Agg canvas,
so nothing opens a window and pyplot's figure registry is never touched.

>>> fig, ax = new_figure()                                   # doctest: +SKIP
>>> show_figure(fig, "A line rising from left to right.")    # doctest: +SKIP
"""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import matplotlib
import numpy as np
from cycler import cycler
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

__all__ = [
    "OKABE_ITO", "STYLE", "FIGSIZE", "DPI", "DENSITY", "RENDER_DPI", "css_size", "VESICLE_STYLES",
    "CONSEQUENCE_STYLES", "GROUP_STYLES",
    "plot_style", "new_figure", "place_axes", "log_scale", "pixel_figure", "encode_png", "figure_png",
    "figure_bundle", "show_figure", "check_figure", "check_layout", "BACKDROP",
]

#: Okabe & Ito (2008) palette, safe for the common colour-vision deficiencies.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}

FIGSIZE = (8.0, 4.5)  # inches
DPI = 100  # CSS pixels per inch: every figure is shown 800 x 450 CSS pixels (the layout's pixels)
#: Image pixels per CSS pixel. Figures are drawn at twice their display size, so that they stay sharp
#: on HiDPI screens (device pixel ratio 2) and in printed handouts: an 800 x 450 figure is a
#: 1600 x 900 PNG shown with ``width="800"``. Sizes and pixel layouts stay in CSS pixels.
DENSITY = 2
RENDER_DPI = DPI * DENSITY

_CYCLE_COLOURS = ["blue", "orange", "bluish_green", "vermillion", "reddish_purple", "sky_blue", "black"]
_CYCLE_DASHES = ["-", "--", "-.", ":", (0, (6, 2)), (0, (3, 1, 1, 1, 1, 1)), (0, (1, 3))]

#: rcParams of the package style (used inside :func:`plot_style`).
STYLE: dict[str, Any] = {
    "figure.figsize": FIGSIZE,
    "figure.dpi": RENDER_DPI,
    "savefig.dpi": RENDER_DPI,
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
    "axes.prop_cycle": cycler(color=[OKABE_ITO[c] for c in _CYCLE_COLOURS])
    + cycler(linestyle=_CYCLE_DASHES),
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "axes.labelsize": 9,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#d9d9d9",
    "grid.linewidth": 0.6,
    "axes.axisbelow": True,
    "lines.linewidth": 1.8,
    "lines.markersize": 5,
    "hatch.linewidth": 0.8,
    "image.cmap": "cividis",
    "svg.hashsalt": "tmvlearn",
}

#: One look per vesicle type: colour, and a hatch, line style and marker for greyscale print.
VESICLE_STYLES: dict[str, dict[str, Any]] = {
    "Microvesicles": {"color": OKABE_ITO["blue"], "hatch": "///", "linestyle": "-", "marker": "o"},
    "Exosomes": {"color": OKABE_ITO["orange"], "hatch": "...", "linestyle": "--", "marker": "s"},
    "Oncosomes": {"color": OKABE_ITO["bluish_green"], "hatch": "\\\\\\", "linestyle": "-.", "marker": "^"},
    "Apoptotic bodies": {"color": OKABE_ITO["reddish_purple"], "hatch": "xx", "linestyle": ":",
                         "marker": "D"},
}

#: One look per tumor consequence of an immune interaction.
CONSEQUENCE_STYLES: dict[str, dict[str, Any]] = {
    "pro-tumor": {"color": OKABE_ITO["vermillion"], "linestyle": "-", "hatch": "///"},
    "anti-tumor": {"color": OKABE_ITO["blue"], "linestyle": "--", "hatch": "..."},
    "context-dependent": {"color": OKABE_ITO["black"], "linestyle": ":", "hatch": "xx"},
}

#: Patients and controls of a simulated cohort.
GROUP_STYLES: dict[str, dict[str, Any]] = {
    "patient": {"color": OKABE_ITO["vermillion"], "linestyle": "-", "hatch": "///"},
    "control": {"color": OKABE_ITO["blue"], "linestyle": "--", "hatch": "..."},
}


@contextmanager
def plot_style() -> Iterator[None]:
    """Apply the package style inside a ``with`` block; rcParams are restored after it."""
    with matplotlib.rc_context(STYLE):
        yield


def new_figure(nrows: int = 1, ncols: int = 1, mosaic: Any = None, layout: str | None = "constrained",
               **kw: Any) -> tuple[Figure, Any]:
    """A figure of the package's fixed size and dpi, on the Agg canvas, and its axes.

    Keyword arguments go to :meth:`Figure.subplots` (``width_ratios``, ``sharey``...),
    or, with ``mosaic``, to :meth:`Figure.subplot_mosaic` (then the axes are a dict).
    The figure uses constrained layout (``layout=None``: none, for axes placed by
    :func:`place_axes`) and is not registered with pyplot.
    """
    with plot_style():
        fig = Figure(figsize=FIGSIZE, dpi=RENDER_DPI, layout=layout)
        FigureCanvasAgg(fig)
        if mosaic is not None:
            axes = fig.subplot_mosaic(mosaic, **kw)
        else:
            axes = fig.subplots(nrows, ncols, squeeze=True, **kw)
    return fig, axes


def place_axes(fig: Figure, axes: dict, boxes: dict[str, tuple[float, float, float, float]]) -> None:
    """Put each of ``axes`` (a mosaic's dict) where ``boxes`` says: ``(left, bottom, right, top)`` of
    its frame, in CSS pixels from the figure's lower-left corner.

    For the explorers, drawn often: a constrained layout measures every label before each first draw
    (a tenth to a fifth of an explorer's start-up). Their boxes are that layout's result, rounded to whole
    pixels; ``tests/test_explorer_figures.py`` checks that no text is clipped or covered.
    """
    width, height = css_size(fig)
    for name, (left, bottom, right, top) in boxes.items():
        axes[name].set_position((left / width, bottom / height, (right - left) / width,
                                 (top - bottom) / height))


def log_scale(ax, which: str = "x") -> None:
    """Put the ``which`` ("x" or "y") axis of ``ax`` on a log scale whose decades read as plain numbers
    (0.1, 1, 10, 100, 1,000), as a lesson names sizes and levels, not as powers of ten; the ticks
    between decades stay unlabelled. Plain text also spares mathtext's layout of every label
    (a tenth of a second for a process's first log axis)."""
    from matplotlib.ticker import FuncFormatter, NullFormatter

    if which not in ("x", "y"):
        raise ValueError(f'which must be "x" or "y" (got {which!r}).')
    axis = ax.xaxis if which == "x" else ax.yaxis
    getattr(ax, f"set_{which}scale")("log")
    axis.set_major_formatter(FuncFormatter(lambda value, _pos: f"{value:,.10g}"))
    axis.set_minor_formatter(NullFormatter())


def pixel_figure(width_px: int, height_px: int) -> tuple[Figure, Any]:
    """A figure of ``width_px`` x ``height_px`` (CSS) pixels with one axes filling it, in pixel units.

    The axes runs from 0 to ``width_px`` left to right and from 0 to ``height_px`` top to bottom
    (y grows downwards, as in a layout computed from measured text), with no axis lines: for
    diagrams whose every box and label is placed by the caller.
    """
    with plot_style():
        fig = Figure(figsize=(width_px / DPI, height_px / DPI), dpi=RENDER_DPI)
        FigureCanvasAgg(fig)
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, width_px)
        ax.set_ylim(height_px, 0)
        ax.set_axis_off()
    return fig, ax


def css_size(fig: Figure) -> tuple[int, int]:
    """(width, height) at which ``fig`` is shown, in CSS pixels: its PNG has :data:`DENSITY` times as
    many pixels each way."""
    width, height = fig.get_size_inches() * DPI
    return int(round(width)), int(round(height))


def encode_png(rgba: np.ndarray, fast: bool = False) -> bytes:
    """PNG bytes of an RGBA pixel array (height x width x 4, e.g. an Agg canvas's buffer).

    The alpha channel is dropped. By default the colours are reduced to a 256-colour palette
    (maximum coverage: 89-99% of the pixels of an explorer's twelve commonest colours, white included,
    stay exact, and no pixel moves by more than 13 of 255 levels; the fast octree method, 2-3 times
    quicker, keeps under 11% of them exact), about half the full-colour size: what is stored in a
    saved lesson and a handout, where with :data:`DENSITY` 2 a figure has four times the pixels.
    ``fast`` (an explorer's live frames) keeps full colour at zlib level 1: larger, and quicker.
    """
    from PIL import Image

    rgba = np.ascontiguousarray(rgba)
    height, width = rgba.shape[:2]
    image = Image.frombuffer("RGBA", (width, height), rgba, "raw", "RGBA", 0, 1).convert("RGB")
    if not fast:
        image = image.quantize(256, method=Image.Quantize.MAXCOVERAGE, dither=Image.Dither.NONE)
    buf = io.BytesIO()
    image.save(buf, format="png", compress_level=1 if fast else 6)
    return buf.getvalue()


def figure_png(fig: Figure) -> bytes:
    """Draw ``fig`` in the package style and return it as PNG bytes."""
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    with plot_style():
        canvas.draw()
    return encode_png(np.asarray(canvas.buffer_rgba()))


def _check_alt_text(alt_text: Any) -> str:
    if not isinstance(alt_text, str) or not alt_text.strip():
        raise ValueError(
            "alt_text must be a non-empty sentence describing what the figure shows "
            f"(got {alt_text!r}); every figure needs one for readers who cannot see it."
        )
    return alt_text.strip()


def figure_bundle(fig: Figure | None, alt_text: str, png: bytes | None = None) -> tuple[dict, dict]:
    """The (data, metadata) display bundle of a figure: PNG plus its alt text.

    ``text/plain`` carries the alt text, so text-only viewers and nbval see a
    stable description; the image's metadata carries it as ``alt`` too, and ``text/html`` (what
    JupyterLab shows) is the figure with its alt text and the description as its caption.
    """
    import html

    alt_text = _check_alt_text(alt_text)
    if png is None:
        png = figure_png(fig)
    encoded = base64.b64encode(png).decode("ascii")
    # shown at its CSS size: the PNG's extra pixels (DENSITY x) make it sharp on HiDPI screens
    width, height = css_size(fig) if fig is not None else (None, None)
    size = f' width="{int(width)}" height="{int(height)}"' if width is not None else ""
    alt = html.escape(alt_text)
    # JupyterLab shows a PNG output with no alt text (it reads no alt from the metadata): the HTML
    # version, which it prefers, carries it, with the description as a caption under the figure.
    figure = (f'<figure class="tmv-figure" style="margin:0"><img src="data:image/png;base64,{encoded}" '
              f'alt="{alt}"{size} style="max-width:100%;height:auto">'
              f'<figcaption style="max-width:{width or 800}px"><small><b>Figure:</b> {alt}</small>'
              "</figcaption></figure>")
    data = {"image/png": encoded, "text/html": figure, "text/plain": alt_text}
    meta = {"image/png": {"alt": alt_text}}
    if width is not None:
        meta["image/png"].update(width=int(width), height=int(height))
    return data, meta


def show_figure(fig: Figure, alt_text: str) -> None:
    """Display ``fig`` in Jupyter as a PNG with its alt text (text/plain and image metadata)."""
    from IPython.display import display

    data, meta = figure_bundle(fig, alt_text)
    display(data, raw=True, metadata=meta)


def check_figure(fig: Figure) -> list[str]:
    """Problems that break the package's figure rules (empty list when there are none).

    Every visible axes needs a title (its own or the figure's) and, where its
    axis lines are shown, x and y labels (an axes sharing its x axis with a
    labelled one may leave the x label to it).
    """
    problems = []
    has_suptitle = fig._suptitle is not None and fig._suptitle.get_text().strip()
    for i, ax in enumerate(fig.axes):
        if not ax.get_visible():
            continue
        if not (ax.get_title() or ax.get_title("left") or has_suptitle):
            problems.append(f"axes {i} has no title")
        if ax.axison:
            shared = [a.get_xlabel() for a in ax.get_shared_x_axes().get_siblings(ax)]
            if ax.xaxis.get_visible() and not any(shared):
                problems.append(f"axes {i} has no x label")
            if ax.yaxis.get_visible() and not ax.get_ylabel():
                problems.append(f"axes {i} has no y label")
    return problems


#: ``gid`` of artists that shade a region behind the data (a selected window, a band): the layout
#: check lets legends and labels sit over them.
BACKDROP = "tmv-backdrop"


def _renderer(fig: Figure):
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    with plot_style():
        return canvas.get_renderer()


def _visible_texts(fig: Figure) -> list:
    """The texts ``fig`` draws: visible, not empty, and for tick labels only those of drawn ticks."""
    from matplotlib.text import Text

    tick_labels, drawn = set(), set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            for tick in [*axis.get_major_ticks(), *axis.get_minor_ticks()]:
                tick_labels |= {tick.label1, tick.label2}
            if ax.get_visible() and ax.axison and axis.get_visible():
                for tick in axis._update_ticks():  # the ticks inside the view, as drawing picks them
                    drawn |= {t for t in (tick.label1, tick.label2) if t.get_visible()}
    texts = []
    for artist in fig.findobj(Text):
        if not artist.get_visible() or not artist.get_text().strip():
            continue
        if artist in tick_labels and artist not in drawn:
            continue
        axes = artist.axes
        if axes is not None and (not axes.get_visible() or (artist in tick_labels and not axes.axison)):
            continue
        texts.append(artist)
    return texts


def _data_paths(ax) -> list:
    """Display-space paths of the data an axes draws: lines, patches, collections (no backdrops)."""
    from matplotlib.lines import Line2D

    paths = []
    for artist in [*ax.lines, *ax.patches, *ax.collections]:
        if not artist.get_visible() or artist.get_gid() == BACKDROP:
            continue
        if isinstance(artist, Line2D):
            if len(artist.get_xdata()) == 0:
                continue
            path = artist.get_transform().transform_path(artist.get_path())
            paths.append((artist, path, False))
        elif hasattr(artist, "get_paths"):
            transform = artist.get_transform()
            offsets = artist.get_offsets() if hasattr(artist, "get_offsets") else []
            if len(offsets) and len(artist.get_paths()) == 1:  # markers: their centres are the data
                points = artist.get_offset_transform().transform(offsets)
                from matplotlib.path import Path
                for point in points:
                    paths.append((artist, Path([point, point + 0.01]), False))
                continue
            for path in artist.get_paths():
                paths.append((artist, transform.transform_path(path), False))
        else:
            from matplotlib.patches import FancyArrowPatch

            path = artist.get_transform().transform_path(artist.get_path())
            # an arrow is an open curve: "filled" would close it into a polygon it does not cover
            paths.append((artist, path, artist.get_fill() and not isinstance(artist, FancyArrowPatch)))
    return paths


def _hits(path, box, filled: bool) -> bool:
    """Whether ``path`` (display space) crosses or, when ``filled``, covers ``box``.

    Curves are flattened and each piece is tested on its own: a CLOSEPOLY's dummy vertex or the
    gap between two pieces of one path must not count as a line.
    """
    from matplotlib.path import Path

    for poly in path.to_polygons(closed_only=False):
        if len(poly) and Path(poly).intersects_bbox(box, filled=filled):
            return True
    return False


def check_layout(fig: Figure, *, margin: float = 0.5) -> list[str]:
    """What a reader would find clipped or covered (empty list when nothing is).

    Lays ``fig`` out as a draw would (without painting it: its canvas keeps its pixels) and measures
    every visible text as it is rendered: each must lie inside the figure (``margin`` CSS pixels of
    slack); no two texts may overlap; a legend may cover no data (lines, bars, markers; shaded
    backdrops tagged :data:`BACKDROP` are allowed) and no text outside it; a text placed in an axes
    (an annotation, a status line) may cover no data line or bar.
    """
    from matplotlib.legend import Legend
    from matplotlib.text import Text

    renderer = _renderer(fig)
    with plot_style():  # laid out as a draw would (ticks, layout engine, legends), no pixels painted
        fig.draw_without_rendering()
    scale = fig.dpi / DPI  # image pixels per CSS pixel: the slack and overlaps are in CSS pixels
    margin *= scale
    bounds = fig.bbox
    problems = []
    texts = _visible_texts(fig)

    def name(text: Text) -> str:
        return repr(text.get_text().replace("\n", " ")[:40])

    extents = {}
    for text in texts:
        box = text.get_window_extent(renderer)
        extents[text] = box
        if (box.x0 < bounds.x0 - margin or box.y0 < bounds.y0 - margin
                or box.x1 > bounds.x1 + margin or box.y1 > bounds.y1 + margin):
            problems.append(f"text {name(text)} is clipped by the figure edge")

    legends = [leg for leg in fig.findobj(Legend) if leg.get_visible()]
    in_legend = {t for leg in legends for t in leg.get_texts()}
    if any(leg.get_title().get_text() for leg in legends):
        in_legend |= {leg.get_title() for leg in legends}
    plain = [t for t in texts if t not in in_legend]
    for i, a in enumerate(plain):
        for b in plain[i + 1:]:
            if extents[a].overlaps(extents[b]) and _overlap_area(extents[a], extents[b]) > 4 * scale**2:
                problems.append(f"text {name(a)} overlaps text {name(b)}")
    for leg in legends:
        box = leg.get_window_extent(renderer)
        ax = leg.axes
        for artist, path, filled in _data_paths(ax) if ax is not None else []:
            if _hits(path, box, filled):
                problems.append(f"legend {name(leg.get_texts()[0]) if leg.get_texts() else ''} covers "
                                f"data ({type(artist).__name__} {artist.get_label()!r})")
                break
        for text in plain:
            if extents[text].overlaps(box) and _overlap_area(extents[text], box) > 4 * scale**2:
                problems.append(f"legend covers text {name(text)}")
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        data = _data_paths(ax)
        for text in ax.texts:
            if text not in extents:
                continue
            box = extents[text]
            for artist, path, filled in data:
                if getattr(text, "_tmv_beside", None) is artist:
                    continue
                if _hits(path, box, filled):
                    problems.append(f"text {name(text)} covers data ({type(artist).__name__})")
                    break
    return problems


def _overlap_area(a, b) -> float:
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    return max(w, 0) * max(h, 0)
