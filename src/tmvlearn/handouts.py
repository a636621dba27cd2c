"""Handouts: student and instructor editions of the lessons, as self-contained HTML or PDF.

Each lesson is executed with static rendering (``INTERACTIVE = False``: explorers as figures,
quizzes as printed questions), filtered for the edition, and converted with nbconvert through the
``tmvlearn_handout`` template, which loads nothing from the network: images are inline, maths is
pre-rendered as MathML, and no script is needed. PDF is printed from that HTML by a headless
Chromium. The student edition drops cells tagged ``instructor`` or ``solution`` and carries no
answers; the instructor edition keeps them and ends each lesson with the answer key.

A build tells the truth: the output folder is checked before any lesson runs; each file is written
under a temporary name and renamed into place only after it is checked (the HTML carries its
edition's label; the PDF opens with pypdf and carries it too), so a failed build never leaves a
stale file, say an instructor PDF with the answers, where the student edition should be; a cell
that runs too long is reported as "timed out after N s at cell K"; a kernel that cannot start
says why.
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

from tmvlearn._files import write_atomically
from tmvlearn.errors import TmvlearnError
from tmvlearn.lessons import (
    DEFAULT_TIMEOUT,
    LessonError,
    drop_widget_views,
    execute_notebook,
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

STATIC = {"INTERACTIVE": False}  # injected after the parameters cell, as papermill does


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
def _executed_statically(path: Path, mtime_ns: int, timeout: float = DEFAULT_TIMEOUT):
    """The lesson run once with INTERACTIVE = False (cached: both editions share one run)."""
    try:
        return execute_notebook(path, parameters=STATIC, cwd=Path(tempfile.gettempdir()), timeout=timeout)
    except LessonError as exc:  # a failed or timed-out cell, a kernel that did not start, a bad parameter
        raise HandoutError(str(exc)) from None


def prepare_lesson(path: Path, edition: str = "student", *, execute: bool = True,
                   timeout: float = DEFAULT_TIMEOUT):
    """The lesson at ``path`` ready for conversion: executed statically and filtered for ``edition``.

    With ``execute=False`` the stored outputs are used (their widget views are dropped and the
    static fallbacks they carry are shown instead). ``timeout``: seconds each cell may run.
    """
    import copy

    import nbformat

    if edition not in EDITIONS:
        raise HandoutError(f"unknown edition {edition!r}; choose one of: {', '.join(EDITIONS)}")
    if execute:
        notebook = copy.deepcopy(_executed_statically(path, path.stat().st_mtime_ns, timeout))
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


def edition_label(edition: str) -> str:
    """The words every page of an edition carries ("Student edition"): how a built file is checked."""
    return f"{edition.title()} edition"


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text).lower()


def check_pdf(path: Path, edition: str | None = None, *, name: str | None = None) -> int:
    """Open the PDF at ``path`` with pypdf; raise :class:`HandoutError` unless it has pages (and, with
    ``edition``, that edition's label on its first page). Returns the number of pages."""
    import pypdf

    shown = name or path.name
    try:
        reader = pypdf.PdfReader(path)
        pages = len(reader.pages)
        first = reader.pages[0].extract_text() if pages else ""
    except Exception as exc:  # pypdf raises many kinds for a damaged file
        raise HandoutError(f"Chromium wrote {shown}, but it is not a readable PDF ({exc}); nothing was "
                           "replaced") from None
    if not pages:
        raise HandoutError(f"Chromium wrote {shown} without any page; nothing was replaced")
    if edition and _squeezed(edition_label(edition)) not in _squeezed(first):
        raise HandoutError(f"{shown} does not say {edition_label(edition)!r} on its first page, so it may "
                           "not be the edition asked for; nothing was replaced")
    return pages


def html_to_pdf(html_path: Path, pdf_path: Path, chromium: str | None = None, timeout: int = 120, *,
                edition: str | None = None) -> Path:
    """Print an HTML file to PDF with headless Chromium (A4, page numbers from the print CSS).

    Chromium prints into a private temporary folder (it exits 0 even when it could not write); the
    result is checked (:func:`check_pdf`) and only then put at ``pdf_path``, replacing any old file.
    """
    chromium = chromium or find_chromium()
    with tempfile.TemporaryDirectory(prefix="tmvlearn-chromium-") as work:
        printed = Path(work) / "printed.pdf"
        command = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                   "--disable-background-networking", "--disable-component-update", "--no-first-run",
                   "--disable-sync", f"--user-data-dir={Path(work) / 'profile'}", "--no-pdf-header-footer",
                   f"--print-to-pdf={printed}", html_path.resolve().as_uri()]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise HandoutError(f"Chromium took over {timeout} s to print {pdf_path.name}") from None
        except OSError as exc:
            raise HandoutError(f"cannot run Chromium ({chromium}): {exc.strerror or exc}") from None
        if done.returncode != 0 or not printed.exists() or printed.stat().st_size == 0:
            tail = [line for line in (done.stderr or "").strip().splitlines() if line.strip()][-1:]
            raise HandoutError(f"Chromium could not print {pdf_path.name} (exit code {done.returncode}; "
                               f"{tail[0] if tail else 'no message'}); nothing was replaced")
        check_pdf(printed, edition, name=pdf_path.name)
        return write_atomically(pdf_path, printed.read_bytes(), force=True, error=HandoutError)


def _checked_html(text: str, edition: str, name: str) -> str:
    if edition_label(edition) not in text:
        raise HandoutError(f"{name} came out without its {edition_label(edition)!r} label; nothing was "
                           "replaced")
    return text


def check_output_folder(target: Path, names: Sequence[str] = ()) -> None:
    """Raise :class:`HandoutError` now, before any lesson runs, if ``target`` cannot take the handouts."""
    try:
        target.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise HandoutError(f"cannot use {target} as the output folder: it is a file; give a folder "
                           "with --out") from None
    except OSError as exc:
        raise HandoutError(f"cannot create the output folder {target}: {exc.strerror or exc}; choose "
                           "another with --out") from None
    try:
        fd, probe = tempfile.mkstemp(prefix=".tmvlearn-write-test-", dir=target)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise HandoutError(f"cannot write in the output folder {target}: {exc.strerror or exc}; choose "
                           "another with --out, or fix its permissions") from None
    for name in names:
        if (target / name).is_dir():
            raise HandoutError(f"cannot write {target / name}: a folder of that name is in the way")


# --- the whole build ------------------------------------------------------------------------

def build_handouts(lessons: Sequence[str] = (), *, edition: str = "student", fmt: str = "html",
                   out: str | os.PathLike = "handouts", execute: bool = True,
                   report: Callable[[str], None] | None = print,
                   timeout: float = DEFAULT_TIMEOUT) -> list[Path]:
    """Build handouts for ``lessons`` (name prefixes such as ``"01"``; all when empty) into ``out``.

    Returns the written files: a cover page (``index.html`` / ``index.pdf``) and one file per
    lesson. ``report`` receives one progress line per lesson; ``timeout`` is the seconds each cell
    may run. Raises :class:`HandoutError` naming the lesson and cell when a lesson fails to execute
    or times out, when the kernel cannot start, when PDF output has no Chromium, or (before any
    lesson runs) when ``out`` cannot be written. A file is replaced only by a checked new one.
    """
    if edition not in EDITIONS:
        raise HandoutError(f"unknown edition {edition!r}; choose one of: {', '.join(EDITIONS)}")
    if fmt not in FORMATS:
        raise HandoutError(f"unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    if not timeout or timeout <= 0:
        raise HandoutError(f"the time limit per cell must be a positive number of seconds, not {timeout!r}")
    try:
        paths = select_lessons(list(lessons))
    except LessonError as exc:
        raise HandoutError(str(exc)) from None
    chromium = find_chromium() if fmt == "pdf" else None  # fail before the slow part
    if fmt == "pdf":
        import pypdf  # noqa: F401  (checks every PDF; missing it should fail now, not after the lessons)
    target = Path(out)
    check_output_folder(target, [f"{p.stem}.{fmt}" for p in paths] + [f"index.{fmt}"])

    written, titles = [], []
    with tempfile.TemporaryDirectory(prefix="tmvlearn-handouts-") as work:
        for number, path in enumerate(paths, 1):
            start = time.perf_counter()
            notebook = prepare_lesson(path, edition, execute=execute, timeout=timeout)
            titles.append((path.stem, notebook_title(notebook)))
            page = _checked_html(to_html(notebook, edition), edition, f"{path.stem}.html")
            if fmt == "pdf":
                source = Path(work) / f"{path.stem}.html"
                source.write_text(page, encoding="utf-8")
                result = html_to_pdf(source, target / f"{path.stem}.pdf", chromium, edition=edition)
            else:
                result = write_atomically(target / f"{path.stem}.html", page, force=True, error=HandoutError)
            written.append(result)
            if report:
                elapsed = time.perf_counter() - start
                report(f"[{number}/{len(paths)}] {path.stem}: {result.name} ({elapsed:.1f} s)")

        cover = _checked_html(cover_html(titles, edition, fmt), edition, f"index.{fmt}")
        if fmt == "pdf":
            source = Path(work) / "index.html"
            source.write_text(cover, encoding="utf-8")
            index = html_to_pdf(source, target / "index.pdf", chromium, edition=edition)
        else:
            index = write_atomically(target / "index.html", cover, force=True, error=HandoutError)
    return [index, *written]
