"""``payroll-sdk profile USER_ID``: one end user's profile, as tables or as JSON."""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys

from .._config import DEFAULT_STALE_AFTER
from ..report import render_text
from ..report._text import DEFAULT_WIDTH, MIN_WIDTH
from ._common import (
    ExitCode,
    add_client_options,
    fetch_profile,
    int_at_least,
    parse_include,
)

#: Paystubs shown per account in the text form, newest first.
RECENT_PAYSTUBS = 5

__all__ = ["add_profile_command"]

_DESCRIPTION = f"""\
Fetch every payroll account of one end user and print the merged profile.

The text form (the same as the report's, see `payroll-sdk report`) starts with what to read
first (stale or disconnected accounts, resources not read completely, figures that do not add
up), then the figures at a glance (current employers, annualized income, missing pay periods,
income stability, trend), each employer (tenure, pay rate, year to date as reported and as
summed, last paystubs), pay gaps, the {RECENT_PAYSTUBS} latest paystubs of each account and the
accounts' resource states. It fits the terminal's width (--width to choose). The person's name
is masked; it never shows SSN digits, date of birth, address, contacts or bank numbers.

--json prints the whole profile instead, RAW DATA INCLUDED (identity, bank details): treat
that output as personal data.

A resource that fails does not fail the command: the profile is printed with its problems
(exit status 0). An unknown end user is an API error (exit status 5)."""


def add_profile_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "profile",
        help="print one end user's payroll profile",
        description=_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("end_user_id", metavar="USER_ID", help="the end user's id")
    parser.add_argument(
        "--json",
        action="store_true",
        help="print the profile as JSON (includes raw personal data)",
    )
    parser.add_argument(
        "--include",
        type=parse_include,
        metavar="NAMES",
        help="comma-separated resources to fetch (default: all of paystubs, income, "
        "identity, shifts, employment, direct_deposit_allocations)",
    )
    parser.add_argument(
        "--from-date", metavar="YYYY-MM-DD", help="earliest paystub pay date / shift end date"
    )
    parser.add_argument(
        "--to-date", metavar="YYYY-MM-DD", help="latest paystub pay date / shift end date"
    )
    parser.add_argument(
        "--width",
        type=int_at_least(MIN_WIDTH),
        metavar="N",
        help="text width in columns (default: the terminal's, else 100)",
    )
    parser.add_argument(
        "--stale-after",
        type=float,
        default=DEFAULT_STALE_AFTER.days,
        metavar="DAYS",
        help="data last refreshed longer ago than this is reported as stale, not current "
        f"(default: {DEFAULT_STALE_AFTER.days})",
    )
    add_client_options(parser)
    parser.set_defaults(handler=run_profile)


def run_profile(args: argparse.Namespace) -> int:
    profile = asyncio.run(fetch_profile(args, stale_after=args.stale_after))
    if args.json:
        sys.stdout.write(profile.model_dump_json(indent=2) + "\n")
    else:
        width = args.width or shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns
        sys.stdout.write(render_text(profile, width=width, recent_paystubs=RECENT_PAYSTUBS))
    return ExitCode.OK
