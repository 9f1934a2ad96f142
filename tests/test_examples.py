"""The README's Quickstart and the examples run as a user would run them."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _quickstart_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quickstart", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.S)
    assert block is not None, "README's Quickstart has no bash block"
    return [line for line in block.group(1).splitlines() if line.strip()]


#: The examples that run against the bundled sandbox, with arguments that keep them short.
SANDBOX_EXAMPLES = {
    "quickstart.py": [],
    "get_profile.py": ["user_single"],
    "batch_profiles.py": ["3", os.devnull],
    "sync_vs_async.py": ["user_single", "1"],
}


def _run(
    *args: str, timeout: float = 120, pythonpath: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """``python ARGS`` in a fresh interpreter, from the repository's root, as a user runs it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAYROLL_")}
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_readme_quickstart_has_two_commands_and_ci_runs_the_second() -> None:
    demo, tests = _quickstart_commands()
    assert "examples/quickstart.py" in demo
    assert "pytest" in tests
    assert tests in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_quickstart_prints_a_profile_from_the_embedded_sandbox() -> None:
    done = _run("examples/quickstart.py")
    assert done.returncode == 0, done.stderr
    assert "Profile of user_three_jobs: 3 payroll account(s)" in done.stdout
    assert "Annualized income estimate: USD" in done.stdout


def test_get_profile_example_runs() -> None:
    done = _run("examples/get_profile.py", "user_single")
    assert done.returncode == 0, done.stderr
    assert "complete: True" in done.stdout


def test_batch_example_writes_json_lines(tmp_path: Path) -> None:
    out = tmp_path / "profiles.jsonl"
    done = _run("examples/batch_profiles.py", "30", str(out))
    assert done.returncode == 0, done.stderr
    assert len(out.read_text(encoding="utf-8").splitlines()) == 30
    assert "'failed': 0" in done.stdout


@pytest.mark.timeout(180)
def test_sync_vs_async_example_reports_the_ratio() -> None:
    done = _run("examples/sync_vs_async.py", "user_single", "20")
    assert done.returncode == 0, done.stderr
    assert re.search(r"ratio: get_profile was [0-9.]+x (faster|slower)$", done.stdout, re.M)


def _uninstalled(root: Path, *names: str) -> Path:
    """A ``PYTHONPATH`` entry that makes ``names`` look uninstalled: a package of each name,
    found first, raises ``ModuleNotFoundError`` as an absent one would."""
    for name in names:
        package = root / name
        package.mkdir()
        (package / "__init__.py").write_text(
            f"raise ModuleNotFoundError({f'No module named {name!r}'!r}, name={name!r})\n"
        )
    return root


@pytest.mark.parametrize("example", sorted(SANDBOX_EXAMPLES))
def test_without_the_sandbox_extra_an_example_says_what_to_install(
    example: str, tmp_path: Path
) -> None:
    path = _uninstalled(tmp_path, "starlette")
    done = _run(f"examples/{example}", *SANDBOX_EXAMPLES[example], pythonpath=path)

    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "payroll_sdk.sandbox needs the 'sandbox' extra (no module named 'starlette'): "
        "pip install 'payroll-sdk[sandbox]'"
    ]
    assert done.stdout == ""


def test_sync_vs_async_needs_nothing_beyond_the_sandbox_extra(tmp_path: Path) -> None:
    """It used to need ``requests``, which neither the SDK nor its sandbox extra installs."""
    path = _uninstalled(tmp_path, "requests")
    done = _run("examples/sync_vs_async.py", "user_single", "1", pythonpath=path)
    assert done.returncode == 0, done.stderr
    assert "ratio:" in done.stdout


@pytest.mark.slow
@pytest.mark.timeout(1200)
def test_examples_in_a_fresh_venv_with_and_without_the_sandbox_extra(tmp_path: Path) -> None:
    """What a new user gets: ``pip install .`` alone, then with ``[sandbox]``."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = str(venv / "bin" / "python")

    def pip_install(target: str) -> None:
        command = [python, "-m", "pip", "install", "-q", "--disable-pip-version-check", target]
        subprocess.run(command, check=True, capture_output=True, timeout=900)

    def run(example: str) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PAYROLL_", "PYTHON"))}
        command = [python, f"examples/{example}", *SANDBOX_EXAMPLES[example]]
        return subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
        )

    pip_install(str(ROOT))
    for example in SANDBOX_EXAMPLES:
        done = run(example)
        assert done.returncode == 1, (example, done.stderr)
        assert done.stderr.strip().endswith("pip install 'payroll-sdk[sandbox]'"), done.stderr
        assert len(done.stderr.splitlines()) == 1, done.stderr

    pip_install(f"{ROOT}[sandbox]")
    for example in SANDBOX_EXAMPLES:
        done = run(example)
        assert done.returncode == 0, (example, done.stderr)
