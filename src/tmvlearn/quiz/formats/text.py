"""Bank text in LMS form and back: Markdown to HTML with maths as ``\\( \\)``, HTML to Markdown.

Bank text is Markdown with inline ``$math$``. Moodle and Canvas typeset ``\\( \\)`` with MathJax,
so exports carry HTML made by :mod:`tmvlearn.quiz.markup` (sanitised) with each ``$x$`` turned
into ``\\(x\\)``. Imported HTML is untrusted: it is turned back into Markdown text here (tags
reduced to the Markdown they stand for, everything else kept as text) and becomes HTML again
only through :mod:`tmvlearn.quiz.markup` when shown.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from html.parser import HTMLParser

from tmvlearn.quiz.exchange import Item
from tmvlearn.quiz.markup import _MATH, escape, inline_html, markdown_to_html

__all__ = ["block_html", "general_html", "html_to_markdown", "line_html", "lossy_plain", "plain",
           "plain_losses", "same_text", "title"]

_TEX = re.compile(r"\\\((.+?)\\\)", re.S)


def _maths_to_tex(fragment: str) -> str:
    return _MATH.sub(lambda m: f"\\({m.group(1)}\\)", fragment)


@lru_cache(maxsize=8192)
def block_html(text: str) -> str:
    """Markdown (prompt, explanation) as sanitised HTML, maths as ``\\( \\)``."""
    return _maths_to_tex(markdown_to_html(text))


@lru_cache(maxsize=8192)
def line_html(text: str) -> str:
    """Like :func:`block_html` without the surrounding paragraph (an option, a feedback line)."""
    return _maths_to_tex(inline_html(text))


def plain(text: str) -> str:
    """Markdown as plain text (what Moodle shows for short answers and matching choices):
    markup removed, maths as ``\\( \\)``, whitespace collapsed."""
    out = re.sub(r"<[^>]*>", " ", block_html(text))
    return " ".join(html.unescape(out).split())


def same_text(a: str, b: str) -> bool:
    """Whether two bank texts read the same once markup is normalised (rendered, tags dropped)."""
    return plain(a) == plain(b)


def lossy_plain(text: str) -> bool:
    """Whether a plain-text field would not reach Moodle as written (a backslash before a special
    character or n, which Moodle's GIFT reader turns into something else)."""
    return bool(re.search(r"\\[~=#{}:n\\]", text))


# --- what every LMS format shares ----------------------------------------------------------------

def title(item: Item) -> str:
    """A question's name in an LMS: lesson, objective and id."""
    return " ".join(p for p in (item.lesson or "", item.objective or "", item.id) if p)


def general_html(item: Item) -> str:
    """The general feedback as HTML: the explanation, then the source."""
    out = block_html(item.explanation) if item.explanation else ""
    if item.source_text:
        out += f"<p>Source: {escape(item.source_text)}</p>"
    return out


def plain_losses(item: Item) -> list[str]:
    """What the plain-text fields of an LMS question lose: matching choices are plain text (their
    Markdown removed). (GIFT carries every backslash: see :func:`tmvlearn.quiz.formats.gift.escape`.)"""
    if item.kind == "matching" and any(plain(r) != r for r in item.rights):
        return ["the choices are plain text in the LMS (their Markdown is removed)"]
    return []


# --- HTML (untrusted) to Markdown ----------------------------------------------------------------

_MARK = {"em": "*", "i": "*", "strong": "**", "b": "**", "del": "~~", "s": "~~"}
_BLOCK = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table", "tr", "ul", "ol"}
# Only what would change how the text renders: asterisk, backtick, "<", an underscore at a word's
# edge, a double tilde (so "TMVLEARN_HOME" or "[1]" come back as written); and a backslash, but only
# before ASCII punctuation or a line break (elsewhere, as in "\\neq", Markdown keeps it as it is),
# which is decided once the whole text is known (_BACKSLASH marks each until then).
_MD_SPECIAL = re.compile(r"([`*<])|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])|(~)(?=~)")
_BACKSLASH = "\ue020"
_ESCAPED_BACKSLASH = re.compile(_BACKSLASH + r"(?=[!-/:-@\[-`{-~\ue020\n])")


class _ToMarkdown(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.code = 0
        self.pre = 0
        self.lists: list[list] = []  # [kind, counter]
        self.href: list[str | None] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in ("script", "style"):
            self.skip += 1
        elif tag in _MARK and not self.code:
            self.out.append(_MARK[tag])
        elif tag == "code" and not self.pre:
            self.code += 1
            self.out.append("`")
        elif tag == "pre":
            self.pre += 1
            self.out.append("\n\n```\n")
        elif tag == "br":
            self.out.append("  \n" if not self.pre else "\n")
        elif tag in ("ul", "ol"):
            self.lists.append([tag, 0])
            self.out.append("\n\n")
        elif tag == "li":
            kind = self.lists[-1] if self.lists else ["ul", 0]
            kind[1] += 1
            self.out.append(f"\n{kind[1]}. " if kind[0] == "ol" else "\n- ")
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            keep = href if re.match(r"(https?:|mailto:)", href) else None
            self.href.append(keep)
            if keep:
                self.out.append("[")
        elif tag in _BLOCK:
            self.out.append("\n\n")
        elif tag in ("td", "th"):
            self.out.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)
        elif tag in _MARK and not self.code:
            self.out.append(_MARK[tag])
        elif tag == "code" and self.code:
            self.code -= 1
            self.out.append("`")
        elif tag == "pre" and self.pre:
            self.pre -= 1
            self.out.append("\n```\n\n")
        elif tag in ("ul", "ol") and self.lists:
            self.lists.pop()
            self.out.append("\n\n")
        elif tag == "a" and self.href:
            href = self.href.pop()
            if href:
                self.out.append(f"]({href})")
        elif tag in _BLOCK:
            self.out.append("\n\n")

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.code or self.pre:
            self.out.append(data.replace("`", "'") if self.code else data)
            return
        data = re.sub(r"\s+", " ", data)
        parts = _TEX.split(data)  # maths back to $...$, its text untouched
        for i, part in enumerate(parts):
            escaped = _MD_SPECIAL.sub(lambda m: "\\" + m.group(0), part.replace("\\", _BACKSLASH))
            self.out.append(f"${part.strip()}$" if i % 2 else escaped)


def html_to_markdown(fragment: str) -> str:
    """Untrusted HTML as Markdown text (bounded: one linear pass of the standard HTML parser)."""
    parser = _ToMarkdown()
    parser.feed(fragment)
    parser.close()
    text = "".join(parser.out)
    text = _ESCAPED_BACKSLASH.sub(r"\\\\", text).replace(_BACKSLASH, "\\")
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    lines = (line if line.startswith("    ") else line.strip() for line in text.split("\n"))
    return "\n".join(lines).strip()


def tex_to_dollars(text: str) -> str:
    """Plain or Markdown text with ``\\( \\)`` maths written as ``$ $``."""
    return _TEX.sub(lambda m: f"${m.group(1).strip()}$", text)
