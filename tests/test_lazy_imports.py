"""``import payroll_sdk`` loads no dependency; every public name still resolves on first use.

The package's ``__init__`` exposes its names through a module ``__getattr__`` (PEP 562). What
these tests guard: that ``import payroll_sdk`` (and ``payroll_sdk.webhooks``, the exceptions)
stays free of httpx, pydantic and tenacity; that importing the client builds no pydantic model;
and that a name added to ``__all__`` but not to the lazy table fails here, not in a user's
program. Each check runs in a fresh interpreter: in this one, other tests have already
imported everything.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import payroll_sdk

# The directory payroll_sdk was imported from, so the child imports the same code (a worktree
# run with PYTHONPATH=src as well as an installed package).
_SOURCE_ROOT = str(Path(payroll_sdk.__file__).resolve().parent.parent)


def _run(code: str) -> Any:
    """Run ``code`` in a fresh interpreter; it prints one JSON value, returned here."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [_SOURCE_ROOT, env.get("PYTHONPATH")]))
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


_HEAVY = ("httpx", "pydantic", "tenacity", "aiohttp")


def test_import_payroll_sdk_loads_no_dependency() -> None:
    loaded = _run(
        "import json, sys, payroll_sdk; "
        f"print(json.dumps([m for m in {_HEAVY!r} if m in sys.modules]))"
    )
    assert loaded == []


def test_version_is_eager() -> None:
    # __version__ is a plain attribute: reading it imports nothing else of the package.
    result = _run(
        "import json, sys, payroll_sdk; v = payroll_sdk.__version__; "
        "print(json.dumps([v, sorted(m for m in sys.modules if m.startswith('payroll_sdk.'))]))"
    )
    assert result == [payroll_sdk.__version__, ["payroll_sdk._version"]]


def test_every_public_name_resolves_in_a_fresh_interpreter() -> None:
    # Each name on its own interpreter state would be slow; one child resolves them in
    # __all__ order and reports, per name, the module that defines the object it got.
    result = _run(
        "import json, payroll_sdk\n"
        "out = {}\n"
        "for name in payroll_sdk.__all__:\n"
        "    value = getattr(payroll_sdk, name)\n"
        "    out[name] = [getattr(value, '__module__', None), name in dir(payroll_sdk)]\n"
        "print(json.dumps(out))\n"
    )
    assert list(result) == payroll_sdk.__all__
    for name, (module, listed) in result.items():
        assert listed, name
        # The child got the object this interpreter has under that name (same defining
        # module), not a same-named other one.
        assert module == getattr(getattr(payroll_sdk, name), "__module__", None), name


def test_lazy_table_matches_all() -> None:
    # Every public name but __version__ is lazy, and the table holds nothing else: a name
    # added to __all__ without an entry would otherwise only fail for a user.
    assert set(payroll_sdk._LAZY) == set(payroll_sdk.__all__) - {"__version__"}


def test_unknown_name_raises_attribute_error() -> None:
    result = _run(
        "import json, payroll_sdk\n"
        "try:\n"
        "    payroll_sdk.NoSuchThing\n"
        "except AttributeError as exc:\n"
        "    print(json.dumps(str(exc)))\n"
        "else:\n"
        "    print(json.dumps(None))\n"
    )
    assert result == "module 'payroll_sdk' has no attribute 'NoSuchThing'"


def test_client_import_builds_no_model_and_loads_no_tenacity() -> None:
    # pydantic.main is where BaseModel lives: loading it means a model class was defined.
    # tenacity loads on the first retry, aiohttp with the first client.
    loaded = _run(
        "import json, sys\n"
        "from payroll_sdk import PayrollClient\n"
        "print(json.dumps([m for m in ('pydantic.main', 'tenacity', 'aiohttp',"
        " 'payroll_sdk.models', 'payroll_sdk.resources') if m in sys.modules]))\n"
    )
    assert loaded == []


def test_exceptions_and_webhooks_load_without_httpx() -> None:
    # A webhook receiver needs pydantic (the event models) but not the HTTP client.
    loaded = _run(
        "import json, sys\n"
        "from payroll_sdk import PayrollError, WebhookVerificationError\n"
        "import payroll_sdk.webhooks\n"
        "print(json.dumps([m for m in ('httpx', 'tenacity', 'aiohttp') if m in sys.modules]))\n"
    )
    assert loaded == []


def test_client_resolves_after_a_bare_import() -> None:
    # The lazy path end to end: `import payroll_sdk`, then the attribute, then a client.
    result = _run(
        "import asyncio, json, payroll_sdk\n"
        "async def main():\n"
        "    async with payroll_sdk.PayrollClient(\n"
        "        api_secret='x' * 32, base_url='http://127.0.0.1:9/v1'\n"
        "    ) as client:\n"
        "        return [type(client).__name__, str(client.base_url)]\n"
        "print(json.dumps(asyncio.run(main())))\n"
    )
    assert result == ["PayrollClient", "http://127.0.0.1:9/v1/"]
