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


def _run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAYROLL_")}
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
def test_sync_vs_async_example_reports_a_speed_up() -> None:
    done = _run("examples/sync_vs_async.py", "user_single", "20")
    assert done.returncode == 0, done.stderr
    assert re.search(r"ratio: [0-9.]+x faster", done.stdout)
