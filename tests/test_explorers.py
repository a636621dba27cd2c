"""Every explorer builds, reacts to a control change with the expected figure data,
and renders a static figure with alt text without a widget front end."""

import base64
import html
import io

import numpy as np
import pytest
from PIL import Image

from tmvlearn import explorers
from tmvlearn.models import diagnostics, networks, sedimentation, sizes
from tmvlearn.plots import check_figure

FACTORIES = {
    "size": explorers.size_explorer,
    "centrifuge": explorers.centrifuge_explorer,
    "diagnostic": explorers.diagnostic_explorer,
    "biomarker": explorers.biomarker_explorer,
    "biogenesis": explorers.biogenesis_explorer,
    "immune": explorers.immune_explorer,
}


@pytest.fixture(scope="module")
def built():
    return {name: make() for name, make in FACTORIES.items()}


@pytest.mark.parametrize("name", FACTORIES)
def test_builds_with_controls_widget_and_alt_text(built, name):
    exp = built[name]
    assert check_figure(exp.figure) == []
    assert exp.alt_text and "0x" not in exp.alt_text
    assert exp.controls and exp.widget is not None
    for key, control in exp.controls.items():
        assert f"tmv-{name}-{key.replace('_', '-')}" in control._dom_classes
    data, meta = exp._repr_mimebundle_()
    assert {"application/vnd.jupyter.widget-view+json", "image/png", "text/plain"} <= set(data)
    state = exp.state()
    assert {key: state[key] for key in exp.params} == exp.params, "the control values come first"
    assert list(state)[:len(exp.params)] == list(exp.params) and len(state) > len(exp.params)
    assert all(state[key] == control.value for key, control in exp.controls.items())
    assert data["text/plain"] == exp.alt_text == meta["image/png"]["alt"]


@pytest.mark.parametrize("name", FACTORIES)
def test_static_fallback_without_front_end(built, name):
    exp = FACTORIES[name](interactive=False)
    assert exp.controls == {} and exp.widget is None
    data, meta = exp._repr_mimebundle_()
    assert set(data) == {"image/png", "text/html", "text/plain"}
    assert f'alt="{html.escape(exp.alt_text)}"' in data["text/html"], "JupyterLab's figure has alt text"
    image = Image.open(io.BytesIO(base64.b64decode(data["image/png"])))
    shown = (meta["image/png"]["width"], meta["image/png"]["height"])
    assert shown[0] == 800 and shown[1] >= 450
    assert f'width="{shown[0]}" height="{shown[1]}"' in data["text/html"]
    assert image.size == (2 * shown[0], 2 * shown[1]), "twice the pixels it is shown at: sharp on HiDPI"
    assert np.asarray(image.convert("RGB")).std() > 10  # not a blank image
    assert exp.state().keys() == built[name].state().keys(), "the same state without a front end"
    assert FACTORIES[name](interactive=False).alt_text == exp.alt_text  # deterministic text output


@pytest.mark.parametrize("name", ["size", "centrifuge", "diagnostic"])
def test_log_axes_read_as_plain_numbers(built, name):
    """Sizes and marker levels as a lesson names them (100 nm, 1,000 nm), not powers of ten."""
    exp = built[name]
    exp.figure.canvas.draw()
    axes = [ax for ax in exp.figure.axes if ax.get_xscale() == "log"]
    assert axes
    for ax in axes:
        labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
        assert not any("$" in label or "^" in label for label in labels), labels
        assert ax.xaxis.get_major_formatter()(1000, 0) == "1,000"
    exp.update()  # back to its blitted state


def test_size_window_updates_bars(built):
    exp = built["size"]
    exp.controls["window_min_nm"].value = 40
    exp.controls["window_max_nm"].value = 160
    expected = sizes.window_capture(exp.samples, 40, 160)["captured_fraction"] * 100
    state = exp.state()
    assert state["window_min_nm"] == 40 and state["window_max_nm"] == 160
    kept = state["kept_percent"]
    assert list(kept) == list(sizes.VESICLE_TYPES)
    assert kept == pytest.approx(expected.to_dict(), abs=1e-9)
    assert kept["Exosomes"] > 90 and kept["Microvesicles"] < 20  # the exosome window keeps exosomes, few MVs
    assert state["window_shaded_nm"] == pytest.approx((40, 160))
    exp.update(window_min_nm=500, window_max_nm=100)
    assert set(exp.state()["kept_percent"].values()) == {0} and "empty" in exp.alt_text


def test_centrifuge_reacts_and_explains_floating(built):
    exp = built["centrifuge"]
    exp.controls["time_min"].value = 60
    state = exp.state()
    assert state["time_min"] == 60
    expected = 100 * sedimentation.fraction_pelleted(state["diameter_nm"], state["rcf_g"], 60)
    assert state["pelleted_percent_by_diameter"] == pytest.approx(expected)
    before = state["pelleted_percent"]["Exosomes"]
    exp.controls["rcf_g"].value = 100_000
    assert exp.state()["pelleted_percent"]["Exosomes"] > before  # exosomes pellet at ultracentrifuge forces
    exp.controls["medium_density"].value = 1.25
    assert np.all(exp.state()["pelleted_percent_by_diameter"] == 0) and "never pellets" in exp.alt_text
    exp.controls["medium_density"].value = 1.0
    exp.controls["rotor"].value = "SW 32 Ti"  # max about 110,000 g: force is held at the limit
    assert exp.state()["rcf_g"] <= sedimentation.ROTORS["SW 32 Ti"].max_rcf
    with pytest.raises(ValueError, match="time_min"):
        exp.update(time_min=-1)


def test_diagnostic_threshold_moves_roc_point(built):
    exp = built["diagnostic"]
    exp.controls["threshold"].value = 3.0
    se, sp = diagnostics.sensitivity_specificity(exp.cohort, 3.0)
    state = exp.state()
    assert state["threshold"] == 3.0
    assert state["roc_point"] == pytest.approx((1 - sp, se))
    assert state["threshold_line_x"] == (3.0, 3.0)
    low = exp.alt_text
    exp.controls["prevalence"].value = 0.3
    assert exp.alt_text != low and "30.0%" in exp.alt_text
    with pytest.raises(ValueError, match="prevalence"):
        exp.update(prevalence=1.5)


def test_biomarker_filters_table_and_chart_together(built):
    exp = built["biomarker"]
    exp.controls["category"].value = "nucleic acid"
    table = exp.table
    assert len(table) and set(table["category"]) == {"nucleic acid"}
    bars = exp.state()["rows_by_class"]
    assert bars["membrane-associated molecule"] == 0
    assert bars["nucleic acid"] >= len(table)
    exp.controls["category"].value = "All"
    exp.controls["search"].value = "mmp"
    assert {"MMP2", "MMP9"} <= set(exp.table["name"])
    state = exp.state()
    assert state["category"] == "All" and state["search"] == "mmp"
    assert "MMP9" in state["table_html"] and "miR-21" not in state["table_html"]
    exp.controls["search"].value = "no such thing"
    assert "no row matches" in exp.alt_text
    with pytest.raises(ValueError, match="category"):
        exp.update(category="lipid")


def test_biogenesis_block_greys_lost_steps(built):
    """(The figure's looks are checked in tests/test_explorer_figures.py.)"""
    exp = built["biogenesis"]
    exp.controls["inhibit"].value = "ARF6"
    lost = networks.lost_if_inhibited("ARF6", exp.graph)
    state = exp.state()
    assert state["inhibit"] == "ARF6"
    assert sorted(state["greyed_steps"]) == sorted(lost) and "ARF6" in lost
    assert "ARF6 blocked" in exp.alt_text and state["blocked_marker_xy"] == exp.pos["ARF6"]
    with pytest.raises(ValueError, match="Close matches"):
        exp.update(inhibit="ARF66")


def test_immune_filter_highlights_matching_lines(built):
    exp = built["immune"]
    exp.controls["consequence"].value = "anti-tumor"
    table = exp.table
    assert set(table["tumor_consequence"]) == {"anti-tumor"}
    links = {*zip(table["mediator"], table["target_cell"], strict=True),
             *zip(table["target_cell"], table["tumor_consequence"], strict=True)}
    state = exp.state()
    assert state["highlighted_links"] == len(links)  # each distinct cargo -> cell, cell -> consequence link
    assert set(state["highlighted_labels"]) == {*table["mediator"], *table["target_cell"], "anti-tumor"}
    exp.controls["target_cell"].value = "NK cell"
    data = exp.data
    expected = ((data["target_cell"] == "NK cell") & (data["tumor_consequence"] == "anti-tumor")).sum()
    assert len(exp.table) == expected
    assert f"showing {expected} of {len(data)} interactions (NK cell; anti-tumor)" in exp.alt_text


def test_unknown_parameter_is_named(built):
    with pytest.raises(ValueError, match="no parameter 'speed'"):
        built["size"].update(speed=3)


def test_models_and_package_import_without_plotting_libraries():
    import subprocess
    import sys

    code = ("import sys, tmvlearn, tmvlearn.models.sedimentation, tmvlearn.models.sizes, "
            "tmvlearn.models.diagnostics, tmvlearn.models.resistance; "
            "print(sorted(m for m in ('matplotlib', 'ipywidgets') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("name, first, params, change", [
    # the size explorer's axes have fixed places: explorers with other windows share its drawing
    ("size", {"window": (40.0, 160.0)}, {"window": (100.0, 1000.0)}, {"window_min_nm": 160.0}),
    # the other looks (greyed, blocked) are drawn by the second one, when it first needs them
    ("biogenesis", {}, {"inhibit": "intracellular Ca2+"}, {"inhibit": "ARF6"}),
    ("immune", {}, {"target_cell": "dendritic cell"}, {"consequence": "anti-tumor"}),
])
def test_explorers_from_the_same_inputs_share_one_drawing_pixel_for_pixel(name, first, params, change):
    """A second explorer from the same inputs takes the first one's static drawing (a lesson that shows
    one twice draws it once): its pixels, before and after a change, are those of one drawn alone."""
    from tmvlearn.explorers import _base

    def pngs(exp):
        before = exp.png()
        exp.update(**change)
        return before, exp.png()

    _base._SHARED.clear()
    alone = pngs(FACTORIES[name](**params, interactive=False))
    _base._SHARED.clear()
    FACTORIES[name](**first, interactive=False)
    sharing = FACTORIES[name](**params, interactive=False)
    assert len(_base._SHARED) == 1 and sharing._background is next(iter(_base._SHARED.values())).background
    assert pngs(sharing) == alone


@pytest.mark.parametrize("name", ["biomarker", "immune"])
def test_explorer_tables_show_the_dataframes_row_label_beside_the_datasets_id(name):
    """A learner reads a row in the explorer and finds it in the DataFrame: the table starts with the
    DataFrame's row label (from 0, as table.loc[row] takes it), then the dataset's own id (from 1)."""
    exp = FACTORIES[name]()
    table = exp._html.value
    head = table.split("</thead>")[0]
    assert head.index(">row</th>") < head.index("<th>id</th>")
    first = exp.data.iloc[0]
    label = exp.data.index[0]
    assert f'<tr><th scope="row">{label}</th><td>{first["id"]}</td>' in table
    assert label == 0 and int(first["id"]) == 1
