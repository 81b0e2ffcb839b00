"""Results for the page: tables, and numbers pasted into the prose.

:func:`format_table` formats rows of numbers and words as a plain-text table;
:class:`Table` holds the same rows and shows itself as an HTML table in a notebook (what the
rendered book shows: no columns cut off, selectable text) and as the plain-text table
everywhere else (its ``repr``, which nbval compares too). :func:`glue` pastes numbers for the
prose's ``{glue:text}`` roles, so that no number in the text is typed by hand.

>>> print(format_table(["ρ", "loss"], [[0.1, 0.25], [1, "diverged"]]))
  ρ      loss
---  --------
0.1      0.25
  1  diverged
"""
from __future__ import annotations

import html
import unicodedata
from typing import NamedTuple, Sequence

import numpy as np

__all__ = ["format_table", "Table", "Link", "subscript", "sci", "span", "glue", "GLUE_DIGITS"]

_ALIGNS = ("right", "left")


def subscript(n: int) -> str:
    """``n`` in subscript digits, as in θ₁₂: for headers and legends."""
    return str(n).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


_SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def sci(x: float, digits: int = 3) -> str:
    """``x`` for prose and tables: ``0.0212``, ``1230``, ``1.75 × 10⁻⁵``, ``10⁵``
    (``digits`` significant digits; a power of ten outside 0.001 to 9999; ``inf``, ``nan``
    as numpy prints them)."""
    x = float(x)
    if x == 0 or not np.isfinite(x):
        return f"{x:g}"
    exponent = int(np.floor(np.log10(abs(x))))
    if -3 <= exponent < 4:
        decimals = digits - 1 - exponent
        text = f"{round(x, decimals):.{max(decimals, 0)}f}"
        return text.rstrip("0").rstrip(".") if decimals > 0 else text
    mantissa = f"{x / 10.0 ** exponent:.{digits}g}"
    if mantissa in ("10", "-10"):  # rounding carried into the next decade
        mantissa, exponent = mantissa[:-1], exponent + 1
    head = {"1": "", "-1": "-"}.get(mantissa, f"{mantissa} × ")
    return f"{head}10{str(exponent).translate(_SUPERSCRIPTS)}"


def span(values, fmt: str = "{:.3g}", empty: str = "—") -> str:
    """How a spread is quoted: ``"lo … hi"`` of the values, or one value if every value
    formats to the same text; NaN is left out, and ``empty`` stands for no value at all."""
    v = np.asarray(values, dtype=float).reshape(-1)
    v = v[~np.isnan(v)]
    if v.size == 0:
        return empty
    lo, hi = fmt.format(v.min() + 0.0), fmt.format(v.max() + 0.0)
    return lo if lo == hi else f"{lo} … {hi}"


class Link(NamedTuple):
    """A table cell that links somewhere: ``text`` in plain text, a link in HTML."""

    text: str
    href: str


def _cell(value, fmt: str) -> str:
    if value is None:
        return ""
    if isinstance(value, Link):
        return value.text
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    number = float(value)
    text = fmt.format(number + 0.0)  # + 0.0 turns −0.0 into 0.0
    # a value that rounds to zero prints without its sign
    return text[1:] if text.startswith("-") and float(text) == 0.0 else text


def _width(text: str) -> int:
    """Printed width: combining marks (the hat of ε̂, v̂) take no column."""
    return sum(not unicodedata.combining(ch) for ch in text)


def _pad(text: str, width: int, align: str) -> str:
    space = " " * (width - _width(text))
    return space + text if align == "right" else text + space


def _cells(headers, rows, fmt: str) -> tuple[list[str], list[list[str]]]:
    headers = [str(h) for h in headers]
    cells = []
    for i, row in enumerate(rows):
        row = list(row)
        if len(row) != len(headers):
            raise ValueError(f"row {i} has {len(row)} cells but there are {len(headers)} "
                             f"headers")
        cells.append([_cell(v, fmt) for v in row])
    return headers, cells


def format_table(headers: Sequence[str], rows: Sequence[Sequence], *,
                 fmt: str = "{:.4g}", align: str = "right") -> str:
    """A plain-text table: aligned columns, a dashed rule under the headers.

    Cells may be numbers (floats through ``fmt``, ints as they are), strings (as they are)
    or ``None`` (blank). Every row must have one cell per header. ``align`` is ``"right"``
    (numbers) or ``"left"`` (words).
    """
    if align not in _ALIGNS:
        raise ValueError(f"align must be 'right' or 'left', got {align!r}")
    headers, cells = _cells(headers, rows, fmt)
    widths = [max([_width(h)] + [_width(r[j]) for r in cells]) for j, h in enumerate(headers)]
    lines = ["  ".join(_pad(h, w, align) for h, w in zip(headers, widths)),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(_pad(c, w, align) for c, w in zip(r, widths)) for r in cells]
    return "\n".join(line.rstrip() for line in lines)


class Table:
    """Rows of results, shown as an HTML table in a notebook and as plain text elsewhere.

    Args:
      headers: one per column.
      rows: the cells, as for :func:`format_table`.
      fmt: the format of float cells.
      align: ``"right"`` or ``"left"``, for the text and the HTML alike.
      caption: an optional caption (HTML only).

    Attributes ``headers`` and ``rows`` hold the formatted cells as strings, so a test can
    read a table the way a reader does.
    """

    def __init__(self, headers: Sequence[str], rows: Sequence[Sequence], *,
                 fmt: str = "{:.4g}", align: str = "right", caption: str | None = None):
        self._text = format_table(headers, rows, fmt=fmt, align=align)
        self.headers, self.rows = _cells(headers, rows, fmt)
        self._links = {(i, j): v.href for i, row in enumerate(rows)
                       for j, v in enumerate(row) if isinstance(v, Link)}
        self.align, self.caption = align, caption

    def __str__(self) -> str:
        return self._text

    __repr__ = __str__

    def _repr_html_(self) -> str:
        style = f' style="text-align: {self.align}"'
        head = "".join(f"<th{style}>{html.escape(h)}</th>" for h in self.headers)
        body = "".join("<tr>" + "".join(f"<td{style}>{self._html_cell(i, j, c)}</td>"
                                        for j, c in enumerate(row)) + "</tr>"
                       for i, row in enumerate(self.rows))
        caption = f"<caption>{html.escape(self.caption)}</caption>" if self.caption else ""
        return (f'<table class="alr-table">{caption}<thead><tr>{head}</tr></thead>'
                f"<tbody>{body}</tbody></table>")

    def _html_cell(self, i: int, j: int, text: str) -> str:
        href = self._links.get((i, j))
        text = html.escape(text)
        return text if href is None else f'<a href="{html.escape(href)}">{text}</a>'


#: Significant digits a glued float keeps: enough for any quoted number, few enough that the
#: stored text does not depend on the last bits of a platform's arithmetic.
GLUE_DIGITS = 8


def glue(values, *, prefix: str = "") -> dict:
    """Paste every ``key: value`` for the prose (myst-nb's ``{glue:text}`` role), not shown.

    numpy numbers become Python numbers (the role formats those; numpy 2 would paste
    ``np.float64(…)``), floats rounded to :data:`GLUE_DIGITS` significant digits; bools, ints
    and strings stay as they are; anything else is a TypeError. Where myst-nb is missing (a
    reader's Binder or Colab session) nothing is pasted and the notebook still runs. Returns
    the converted values, keys with ``prefix``.
    """
    converted = {}
    for key, value in dict(values).items():
        if isinstance(value, (bool, np.bool_)):
            value = bool(value)
        elif isinstance(value, (int, np.integer)):
            value = int(value)
        elif isinstance(value, (float, np.floating)):
            value = float(f"{float(value):.{GLUE_DIGITS}g}")
        elif not isinstance(value, str):
            raise TypeError(f"glue values must be numbers or strings, got "
                            f"{type(value).__name__} for {key!r}")
        converted[f"{prefix}{key}"] = value
    try:
        from myst_nb import glue as paste
    except ImportError:  # a reader's runtime without the book's tools
        return converted
    for key, value in converted.items():
        paste(key, value, display=False)
    return converted
