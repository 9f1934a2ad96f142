"""A tiny plain-text table formatter: no colours, no box drawing, just aligned columns."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["format_pairs", "format_table"]

_GAP = "  "


def format_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    align: str = "",
) -> str:
    """Columns padded to their widest cell, a dashed rule under the headers.

    ``align`` has one letter per column, ``l`` (default) or ``r``: money and counts read best
    right-aligned. ``None`` cells print as ``-``; trailing spaces are trimmed.

    >>> print(format_table(["NAME", "PAY"], [["Ada", "USD 10.00"], ["Bo", None]], align="lr"))
    NAME        PAY
    ----  ---------
    Ada   USD 10.00
    Bo            -
    """
    cells = [[_text(value) for value in row] for row in rows]
    widths = [len(header) for header in headers]
    for row in cells:
        if len(row) != len(headers):
            raise ValueError(f"row has {len(row)} cells, expected {len(headers)}")
        widths = [max(width, len(cell)) for width, cell in zip(widths, row, strict=True)]
    alignments = align.ljust(len(headers), "l")

    def line(values: Sequence[str]) -> str:
        padded = (
            value.rjust(width) if side == "r" else value.ljust(width)
            for value, width, side in zip(values, widths, alignments, strict=True)
        )
        return _GAP.join(padded).rstrip()

    lines = [line(headers), line(["-" * width for width in widths])]
    lines.extend(line(row) for row in cells)
    return "\n".join(lines)


def format_pairs(pairs: Sequence[tuple[str, object]]) -> str:
    """``label   value`` lines with the values lined up.

    >>> print(format_pairs([("Latest pay date", "2026-01-15"), ("Employers", None)]))
    Latest pay date  2026-01-15
    Employers        -
    """
    width = max((len(label) for label, _ in pairs), default=0)
    return "\n".join(f"{label.ljust(width)}{_GAP}{_text(value)}".rstrip() for label, value in pairs)


def _text(value: object) -> str:
    if value is None:
        return "-"
    # One line per cell: a newline in an API-provided string would break the columns.
    return " ".join(str(value).split())
