"""A Griffe extension that renders the SDK's reST-flavoured docstrings as Markdown.

The docstrings are written to read well in ``help()`` and in an editor, so they use reST
habits: ``:class:`~payroll_sdk.X``` roles, a paragraph ending in ``::`` before an indented
code block, and ``>>>`` doctest lines. mkdocstrings renders Markdown, where those show up
verbatim; this rewrites them when the API reference is built (the source is not touched):

- a role becomes a cross-reference to the object when the reference documents it, and plain
  code otherwise (``optional`` autorefs never fail ``mkdocs build --strict``);
- ``text::`` plus an indented block becomes ``text:`` plus a fenced block: ``python`` when it
  parses, ``pycon`` when it starts with ``>>>``, ``text`` otherwise; a lone ``::`` disappears;
- a paragraph of ``>>>`` lines becomes a fenced ``pycon`` block.

Loaded by mkdocstrings from mkdocs.yml
(``extensions: [docs/_ext/rst_docstrings.py:RstDocstrings]``).
"""

from __future__ import annotations

import ast
import re
from typing import Any

import griffe

_ROLE = re.compile(r":(?:class|meth|func|attr|data|exc|mod|obj|const):`(~?)([^`]+)`")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _resolve(obj: griffe.Object, name: str) -> str:
    """The full path ``name`` most likely means, seen from ``obj``'s docstring."""
    name = name.lstrip(".")
    if name.startswith("payroll_sdk."):
        return name
    first = name.split(".", 1)[0]
    scopes: list[griffe.Object] = [obj]
    parent = obj.parent
    while parent is not None:
        scopes.append(parent)
        parent = parent.parent
    for scope in scopes:
        try:
            if first in scope.members:
                return f"{scope.path}.{name}"
        except (griffe.AliasResolutionError, griffe.CyclicAliasError):
            continue
    # A dotted name we do not define (``decimal.Decimal``) is taken as it is written.
    return name if "." in name else f"payroll_sdk.{name}"


def _roles(obj: griffe.Object, text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        short, target = match.group(1), match.group(2)
        target = target.rstrip("()")
        title = target.rsplit(".", 1)[-1] if short else target
        identifier = _resolve(obj, target)
        return f'<autoref identifier="{identifier}" optional><code>{title}</code></autoref>'

    return _ROLE.sub(replace, text)


def _fence(lines: list[str], start: int, indent: int) -> tuple[list[str], int]:
    """Fence the indented block starting at or after ``start``; return it and where it ends."""
    i = start
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i == len(lines) or _indent(lines[i]) <= indent:
        return [], start
    block_indent = _indent(lines[i])
    end = i
    while end < len(lines) and (not lines[end].strip() or _indent(lines[end]) >= block_indent):
        end += 1
    while end > i and not lines[end - 1].strip():
        end -= 1
    body = [line[block_indent:] for line in lines[i:end]]
    language = _language("\n".join(body))
    pad = " " * indent
    fenced = ["", f"{pad}```{language}", *(pad + b if b else "" for b in body), f"{pad}```"]
    return fenced, end


def _language(code: str) -> str:
    """``pycon`` for doctests, ``python`` for code that parses, ``text`` for the rest (trees,
    shell lines, listings)."""
    if code.lstrip().startswith(">>>"):
        return "pycon"
    try:
        ast.parse(code)
    except SyntaxError:
        # Samples with top-level await are still Python.
        try:
            compile(code, "<docstring>", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
        except SyntaxError:
            return "text"
    return "python"


def rst_to_markdown(obj: griffe.Object, text: str) -> str:
    lines = _roles(obj, text).splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped.endswith("::"):
            fenced, end = _fence(lines, i + 1, _indent(line))
            if fenced:
                if stripped != "::":
                    out.append(line.rstrip()[:-1])  # "text::" reads "text:"
                out.extend(fenced)
                i = end
                continue
        if stripped.startswith(">>>") and (not out or not out[-1].strip()):
            indent = _indent(line)
            end = i
            while end < len(lines) and lines[end].strip():
                end += 1
            pad = " " * indent
            out.extend([f"{pad}```pycon", *(x[indent:] for x in lines[i:end]), f"{pad}```"])
            i = end
            continue
        out.append(line)
        i += 1
    return "\n".join(out)


class RstDocstrings(griffe.Extension):
    """Rewrite every docstring of the package once it is fully loaded (so that a role can
    name something defined further down its module)."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        self._rewrite(pkg)

    def _rewrite(self, obj: griffe.Object) -> None:
        if obj.docstring is not None:
            obj.docstring.value = rst_to_markdown(obj, obj.docstring.value)
        for member in obj.members.values():
            if not member.is_alias:
                self._rewrite(member)  # type: ignore[arg-type]
