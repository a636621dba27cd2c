"""Handouts: student and instructor editions of the lessons, as self-contained HTML or PDF.

Each lesson is executed with static rendering (``INTERACTIVE = False``: explorers as figures,
quizzes as printed questions), filtered for the edition, and converted with nbconvert through the
``tmvlearn_handout`` template, which loads nothing from the network: images are inline, maths is
pre-rendered as MathML, and no script is needed. PDF is printed from that HTML by a headless
Chromium. The student edition drops cells tagged ``instructor`` or ``solution`` and carries no
answers; the instructor edition keeps them and ends each lesson with the answer key.
"""

from __future__ import annotations

import functools
import html
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from tmvlearn.errors import TmvlearnError
from tmvlearn.lessons import (
    LessonError,
    drop_widget_views,
    execute_notebook,
    failed_cell,
    notebook_title,
    select_lessons,
)

EDITIONS = ("student", "instructor")
FORMATS = ("html", "pdf")
STUDENT_HIDDEN_TAGS = {"instructor", "solution"}
RUN_ONLY_TAGS = {"parameters", "injected-parameters"}  # how the lesson was run: not for print
TEMPLATES = Path(__file__).with_name("templates")
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


class HandoutError(TmvlearnError):
    """A handout could not be built; the message names the lesson (and cell) and what to do."""

    exit_code = 1


# --- preparing a lesson -------------------------------------------------------------------

def _static_parameters(notebook) -> None:
    """Insert ``INTERACTIVE = False`` after the parameters cell (as papermill injects parameters)."""
    from nbformat.v4 import new_code_cell

    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code" and "parameters" in cell.metadata.get("tags", []):
            injected = new_code_cell("# Injected by tmvlearn handouts: render explorers and quizzes "
                                     "statically\nINTERACTIVE = False")
            injected.metadata["tags"] = ["injected-parameters"]
            notebook.cells.insert(index + 1, injected)
            return
    raise HandoutError("the lesson has no cell tagged 'parameters', so it cannot be rendered statically")


_DISPLAY_MATH = re.compile(r"\$\$(.+?)\$\$", re.S)
_INLINE_MATH = re.compile(r"(?<![\\$\w])\$(?=\S)([^$\n<>]+?)(?<=\S)\$(?![\w$])")


def render_math(text: str) -> str:
    """Replace ``$...$`` and ``$$...$$`` with MathML, which browsers draw without any script."""
    from latex2mathml.converter import convert

    def swap(display: str):
        def replace(match: re.Match) -> str:
            try:
                return convert(match.group(1).strip(), display=display)
            except Exception:  # leave what cannot be parsed as it was written
                return match.group(0)
        return replace

    return _INLINE_MATH.sub(swap("inline"), _DISPLAY_MATH.sub(swap("block"), text))


def _static_outputs(notebook) -> None:
    """Drop widget views (their static fallbacks stay) and pre-render maths in HTML outputs."""
    drop_widget_views(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            cell.source = render_math(cell.source)
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "text/html" in data:
                data["text/html"] = render_math("".join(data["text/html"]))


def _answer_key_cell(lesson: str):
    """The lesson's answer key as an output-only cell (no Markdown pass to mangle regexes or links)."""
    from nbformat.v4 import new_code_cell, new_output

    from tmvlearn.quiz import key

    rendered = key(lesson).to_html()
    cell = new_code_cell(outputs=[new_output("display_data", data={
        "text/html": f'<section class="tmv-answer-key"><h2>Answer key</h2>\n{rendered}</section>'})])
    cell.metadata["transient"] = {"remove_source": True}
    return cell


@functools.lru_cache(maxsize=16)
def _executed_statically(path: Path, mtime_ns: int):
    """The lesson run once with INTERACTIVE = False (cached: both editions share one run)."""
    import nbformat

    notebook = nbformat.read(path, as_version=4)
    _static_parameters(notebook)
    try:
        execute_notebook(path, notebook=notebook, cwd=Path(tempfile.gettempdir()))
    except Exception as exc:  # nbclient raises CellExecutionError, timeouts, kernel deaths
        raise HandoutError(f"lesson {path.stem} failed to execute at {failed_cell(notebook)}") from exc
    return notebook


def prepare_lesson(path: Path, edition: str = "student", *, execute: bool = True):
    """The lesson at ``path`` ready for conversion: executed statically and filtered for ``edition``.

    With ``execute=False`` the stored outputs are used (their widget views are dropped and the
    static fallbacks they carry are shown instead).
    """
    import copy

    import nbformat

    if edition not in EDITIONS:
        raise HandoutError(f"unknown edition {edition!r}; choose one of: {', '.join(EDITIONS)}")
    if execute:
        notebook = copy.deepcopy(_executed_statically(path, path.stat().st_mtime_ns))
    else:
        notebook = nbformat.read(path, as_version=4)
    hidden = RUN_ONLY_TAGS | (STUDENT_HIDDEN_TAGS if edition == "student" else set())
    notebook.cells = [c for c in notebook.cells if not hidden & set(c.metadata.get("tags", []))]
    if edition == "instructor":
        notebook.cells.append(_answer_key_cell(path.stem))
    _static_outputs(notebook)
    return notebook


# --- HTML and PDF -------------------------------------------------------------------------

def _sources_html() -> str:
    from tmvlearn.datasets import sources

    items = [f'{html.escape(s["title"])} <a href="{html.escape(s["path"])}">{html.escape(s["path"])}</a>'
             for s in sources()]
    return "Sources: " + "; ".join(items) + ". Facts are cited in the text; the wording is tmvlearn's own."


def to_html(notebook, edition: str = "student") -> str:
    """Self-contained HTML for a prepared lesson."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="tmvlearn_handout", extra_template_basedirs=[str(TEMPLATES)],
                            exclude_input_prompt=True, exclude_output_prompt=True)
    resources = {"metadata": {"name": notebook_title(notebook)},
                 "tmvlearn": {"edition_label": f"{edition.title()} edition",
                              "sources_html": _sources_html()}}
    body, _ = exporter.from_notebook_node(notebook, resources=resources)
    return body


def cover_html(titles: Sequence[tuple[str, str]], edition: str, fmt: str) -> str:
    """The cover page: the workbook, the edition, the lesson list and the sources."""
    css = (TEMPLATES / "tmvlearn_handout" / "handout.css").read_text(encoding="utf-8")
    items = "\n".join(f'<li><a href="{html.escape(name)}.{fmt}">{html.escape(title)}</a></li>'
                      for name, title in titles)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>tmvlearn handouts ({edition} edition)</title>
<style>{css}
body {{ font-family: system-ui, sans-serif; line-height: 1.5; padding: 2em; }}</style></head>
<body><section class="tmv-cover">
<h1>Tumor-derived microvesicles</h1>
<p>An interactive workbook, printed: <strong>{edition.title()} edition</strong>.
{"Teaching notes, exercise solutions and answer keys are included." if edition == "instructor"
 else "Quizzes are printed without answers; run the notebooks in JupyterLab for feedback."}</p>
<h2>Lessons</h2>
<ol start="0">
{items}
</ol>
<h2>Sources</h2>
<p>{_sources_html()}</p>
</section></body></html>
"""


def find_chromium() -> str:
    """A headless-capable Chromium or Chrome: $TMVLEARN_CHROMIUM, else the first on PATH."""
    configured = os.environ.get("TMVLEARN_CHROMIUM")
    if configured:
        if shutil.which(configured):
            return shutil.which(configured)
        raise HandoutError(f"TMVLEARN_CHROMIUM={configured!r} is not an executable; fix or unset it")
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise HandoutError(
        "PDF handouts need a headless Chromium, and none was found. Install it (Debian/Ubuntu: "
        "`sudo apt-get install chromium`; macOS/Windows: install Google Chrome) or set "
        "TMVLEARN_CHROMIUM to its path. HTML handouts (--format html) need no browser."
    )


def html_to_pdf(html_path: Path, pdf_path: Path, chromium: str | None = None, timeout: int = 120) -> Path:
    """Print an HTML file to PDF with headless Chromium (A4, page numbers from the print CSS)."""
    chromium = chromium or find_chromium()
    with tempfile.TemporaryDirectory(prefix="tmvlearn-chromium-") as profile:
        command = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                   "--disable-background-networking", "--disable-component-update", "--no-first-run",
                   "--disable-sync", f"--user-data-dir={profile}", "--no-pdf-header-footer",
                   f"--print-to-pdf={pdf_path}", html_path.resolve().as_uri()]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise HandoutError(f"Chromium took over {timeout} s to print {html_path.name}") from None
    if done.returncode != 0 or not pdf_path.exists() or pdf_path.stat().st_size == 0:
        tail = (done.stderr or "").strip().splitlines()[-1:] or ["no message"]
        raise HandoutError(f"Chromium could not print {html_path.name} to PDF: {tail[0]}")
    return pdf_path


# --- the whole build ------------------------------------------------------------------------

def build_handouts(lessons: Sequence[str] = (), *, edition: str = "student", fmt: str = "html",
                   out: str | os.PathLike = "handouts", execute: bool = True,
                   report: Callable[[str], None] | None = print) -> list[Path]:
    """Build handouts for ``lessons`` (name prefixes such as ``"01"``; all when empty) into ``out``.

    Returns the written files: a cover page (``index.html`` / ``index.pdf``) and one file per
    lesson. ``report`` receives one progress line per lesson. Raises :class:`HandoutError` naming
    the lesson and cell when a lesson fails to execute, or when PDF output has no Chromium.
    """
    if edition not in EDITIONS:
        raise HandoutError(f"unknown edition {edition!r}; choose one of: {', '.join(EDITIONS)}")
    if fmt not in FORMATS:
        raise HandoutError(f"unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    try:
        paths = select_lessons(list(lessons))
    except LessonError as exc:
        raise HandoutError(str(exc)) from None
    chromium = find_chromium() if fmt == "pdf" else None  # fail before the slow part
    target = Path(out)
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise HandoutError(f"cannot create the output folder {target}: {exc.strerror}") from None

    written, titles = [], []
    for number, path in enumerate(paths, 1):
        start = time.perf_counter()
        notebook = prepare_lesson(path, edition, execute=execute)
        titles.append((path.stem, notebook_title(notebook)))
        html_path = target / f"{path.stem}.html"
        html_path.write_text(to_html(notebook, edition), encoding="utf-8")
        result = html_path
        if fmt == "pdf":
            result = html_to_pdf(html_path, target / f"{path.stem}.pdf", chromium)
            html_path.unlink()
        written.append(result)
        if report:
            elapsed = time.perf_counter() - start
            report(f"[{number}/{len(paths)}] {path.stem}: {result.name} ({elapsed:.1f} s)")

    cover = target / "index.html"
    cover.write_text(cover_html(titles, edition, fmt), encoding="utf-8")
    if fmt == "pdf":
        cover = html_to_pdf(cover, target / "index.pdf", chromium)
        (target / "index.html").unlink()
    return [cover, *written]
