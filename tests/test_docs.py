"""Every ```python block in docs/ runs, against a real sandbox server on loopback.

One test per page: the page's ``python`` blocks run in order in one namespace (a later block
may use what an earlier one defined), so a page reads like a session. The only things a page
gets without writing them are the environment of a configured user and a scratch directory:

- ``PAYROLL_API_SECRET`` and ``PAYROLL_BASE_URL`` point at a ``SandboxServer`` shared by the
  module, so ``PayrollClient()`` works as it does for a user with credentials;
- the working directory is a fresh temporary directory, for samples that write files.

Everything else (imports included) must be on the page. A block may use top-level ``await``
(it is compiled with ``ast.PyCF_ALLOW_TOP_LEVEL_AWAIT``, as in ``python -m asyncio`` or a
notebook) or be a script ending in ``asyncio.run(main())``: each page runs in its own
``asyncio.Runner`` from a plain (sync) test, so no event loop is running while a block
executes and ``asyncio.run`` works.

Only the fence language ``python`` runs. Output listings and shell sessions use ``text`` or
``bash``; ``py`` marks the rare Python fragment that cannot run by nature (a signature
listing, a handler body that needs a web framework's request), and is kept for those.

Line numbers in tracebacks are the Markdown file's own: each block is compiled with the page
as its file name and padded so its first line keeps its number.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import re
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from payroll_sdk.sandbox import SandboxServer

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"

_FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`]*)$")


@dataclass(frozen=True)
class Block:
    """One fenced ``python`` block: its source (dedented) and the line its code starts on."""

    line: int
    source: str


def python_blocks(text: str) -> list[Block]:
    """The ``python`` blocks of a Markdown text, in order (other languages are skipped)."""
    blocks: list[Block] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        opening = _FENCE_OPEN.match(lines[i])
        if opening is None:
            i += 1
            continue
        indent, fence = opening["indent"], opening["fence"]
        words = opening["info"].split()
        language = words[0].lstrip(".{").lower() if words else ""
        closing = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}\s*$")
        end = i + 1
        while end < len(lines) and not closing.match(lines[end]):
            end += 1
        if language == "python":
            body = [
                line[len(indent) :] if line.startswith(indent) else line.lstrip()
                for line in lines[i + 1 : end]
            ]
            blocks.append(Block(line=i + 2, source="\n".join(body) + "\n"))
        i = end + 1
    return blocks


def _pages() -> Iterator[Path]:
    for path in sorted(DOCS.rglob("*.md")):
        if python_blocks(path.read_text(encoding="utf-8")):
            yield path


PAGES = list(_pages())


@pytest.fixture(scope="module")
def sandbox_server() -> Iterator[SandboxServer]:
    with SandboxServer() as server:
        yield server


def run_page(path: Path) -> None:
    """Run every ``python`` block of ``path`` in one namespace and one event loop."""
    name = str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
    namespace: dict[str, object] = {"__name__": "__main__"}
    with asyncio.Runner() as runner:
        for block in python_blocks(path.read_text(encoding="utf-8")):
            try:
                # Padding keeps the Markdown line numbers in tracebacks.
                code = compile(
                    "\n" * (block.line - 1) + block.source,
                    name,
                    "exec",
                    flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT,
                )
                result = eval(code, namespace)
                if inspect.iscoroutine(result):
                    runner.run(result)
            except Exception as exc:
                raise AssertionError(
                    f"the python block at {name}:{block.line} raised {exc!r}"
                ) from exc


@pytest.mark.parametrize("path", PAGES, ids=[str(p.relative_to(DOCS)) for p in PAGES])
def test_page_samples_run(
    path: Path,
    sandbox_server: SandboxServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("PAYROLL_API_SECRET", sandbox_server.secret)
    monkeypatch.setenv("PAYROLL_BASE_URL", sandbox_server.base_url)
    monkeypatch.chdir(tmp_path)
    run_page(path)


def test_the_guides_have_samples_to_run() -> None:
    collected = {p.relative_to(DOCS).as_posix() for p in PAGES}
    assert {"index.md", "getting-started.md", "profile.md"} <= collected


def test_only_python_fences_are_collected_with_their_line_numbers() -> None:
    text = (
        "# Page\n"
        "```bash\n"
        "pip install payroll-sdk\n"
        "```\n"
        "- a list item:\n"
        "\n"
        '    ```python title="x.py"\n'
        "    x = 1\n"
        "    if x:\n"
        "        y = 2\n"
        "    ```\n"
        "````py\n"
        "not run\n"
        "````\n"
        "```python\n"
        "z = 3\n"
        "```\n"
    )
    assert python_blocks(text) == [
        Block(line=8, source="x = 1\nif x:\n    y = 2\n"),
        Block(line=16, source="z = 3\n"),
    ]


def test_a_failing_block_names_its_page_and_line(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("text\n\n```python\nx = 1\n```\n\n```python\n\nraise KeyError(x)\n```\n")
    with pytest.raises(AssertionError, match=r"page\.md:8 raised KeyError\(1\)") as failure:
        run_page(page)
    # The traceback points at the Markdown line of the raise.
    assert failure.value.__cause__ is not None
    assert failure.value.__cause__.__traceback__ is not None
    frames = [f for f in traceback.extract_tb(failure.value.__cause__.__traceback__)]
    assert (frames[-1].filename, frames[-1].lineno) == (str(page), 9)


def test_pages_can_await_at_top_level_or_call_asyncio_run(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "```python\nimport asyncio\n\nasync def answer():\n    return 42\n```\n"
        "```python\nfirst = await answer()\n```\n"
        "```python\nsecond = asyncio.run(answer())\nassert first == second == 42\n```\n"
        "```python\nassert first == 41\n```\n"
    )
    with pytest.raises(AssertionError, match=r"page\.md:15 raised AssertionError"):
        run_page(page)
