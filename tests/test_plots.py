"""The package plot style, alt-text bundles and the figure checker."""

import base64
import io

import matplotlib
import pytest
from PIL import Image

from tmvlearn import plots


def test_style_is_scoped_and_fixed():
    before = dict(matplotlib.rcParams)
    with plots.plot_style():
        assert matplotlib.rcParams["figure.dpi"] == plots.RENDER_DPI
        assert matplotlib.rcParams["axes.prop_cycle"].by_key()["color"][0] == plots.OKABE_ITO["blue"]
    assert matplotlib.rcParams["figure.dpi"] == before["figure.dpi"]
    assert matplotlib.rcParams["axes.prop_cycle"] == before["axes.prop_cycle"]


def test_colours_come_from_the_colour_blind_safe_palette_with_greyscale_cues():
    styles = plots.VESICLE_STYLES.values()
    safe = set(plots.OKABE_ITO.values())
    assert {s["color"] for s in styles} <= safe
    assert set(plots.STYLE["axes.prop_cycle"].by_key()["color"]) <= safe
    for key in ("color", "hatch", "linestyle", "marker"):
        assert len({s[key] for s in styles}) == 4, key  # every type distinct, even in greyscale
    dashes = plots.STYLE["axes.prop_cycle"].by_key()["linestyle"]
    assert len(set(map(str, dashes))) == len(dashes)


def labelled_figure():
    fig, ax = plots.new_figure()
    ax.plot([1, 2], [3, 4])
    ax.set_title("A title")
    ax.set_xlabel("Time (min)")
    ax.set_ylabel("Pelleted (%)")
    return fig


def test_bundle_carries_png_and_alt_text():
    fig = labelled_figure()
    data, meta = plots.figure_bundle(fig, "A line rising from 3 to 4.")
    assert data["text/plain"] == "A line rising from 3 to 4."
    assert meta["image/png"]["alt"] == "A line rising from 3 to 4."
    image = Image.open(io.BytesIO(base64.b64decode(data["image/png"])))
    # shown at 800 x 450 CSS pixels from a PNG with twice the pixels each way: sharp on HiDPI screens
    assert (meta["image/png"]["width"], meta["image/png"]["height"]) == (800, 450)
    assert image.size == (1600, 900)
    assert 'width="800" height="450"' in data["text/html"]


def test_show_figure_displays_bundle(monkeypatch):
    shown = []
    import IPython.display

    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: shown.append((a, k)))
    plots.show_figure(labelled_figure(), "Alt text here.")
    (data,), kwargs = shown[0]
    assert kwargs["raw"] and kwargs["metadata"]["image/png"]["alt"] == "Alt text here."
    assert set(data) == {"image/png", "text/html", "text/plain"}


def test_the_html_figure_jupyterlab_shows_has_alt_text_and_a_caption():
    """JupyterLab reads no alt text from a PNG's metadata: the HTML it prefers carries it."""
    data, _ = plots.figure_bundle(labelled_figure(), 'Bars <b>"rise"</b> & fall.')
    page = data["text/html"]
    assert f'src="data:image/png;base64,{data["image/png"]}"' in page
    assert 'alt="Bars &lt;b&gt;&quot;rise&quot;&lt;/b&gt; &amp; fall."' in page
    assert 'width="800" height="450"' in page and "<figcaption" in page and "<b>\"" not in page


@pytest.mark.parametrize("alt", ["", "   ", None])
def test_alt_text_is_required(alt):
    with pytest.raises(ValueError, match="alt_text"):
        plots.figure_bundle(labelled_figure(), alt)


def test_check_figure_reports_missing_labels():
    assert plots.check_figure(labelled_figure()) == []
    fig, ax = plots.new_figure()
    ax.plot([1, 2])
    assert plots.check_figure(fig) == ["axes 0 has no title", "axes 0 has no x label",
                                       "axes 0 has no y label"]


def test_log_axes_label_their_decades_as_plain_numbers():
    fig, ax = plots.new_figure()
    ax.plot([0.05, 30_000], [1, 2])
    plots.log_scale(ax, "x")
    plots.log_scale(ax, "y")
    fig.canvas.draw()
    shown = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert {"0.1", "1", "10", "100", "1,000", "10,000"} <= set(shown), shown
    assert not [t.get_text() for t in ax.get_xticklabels(minor=True) if t.get_text()]
    with pytest.raises(ValueError, match="which"):
        plots.log_scale(ax, "z")
