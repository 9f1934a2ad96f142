"""``python -m payroll_sdk``: the ``payroll-sdk`` command line (see :mod:`payroll_sdk.cli`)."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
