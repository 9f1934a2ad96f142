"""``payroll-sdk webhook verify|sign``: check a delivery, or sign a body to test a receiver."""

from __future__ import annotations

import argparse
import json
import os
import sys

from .._config import ENV_SECRET
from .._exceptions import WebhookVerificationError
from ..webhooks import (
    DEFAULT_TOLERANCE,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    WEBHOOK_ID_HEADER,
    sign,
    verify,
)
from ._common import PROG, CommandError, ExitCode

__all__ = ["add_webhook_command"]

_VERIFY_DESCRIPTION = f"""\
Verify a webhook delivery: the raw body on stdin (or --body FILE), its headers as options.
Prints the typed event as JSON on stdout, or the reason it does not verify on stderr with
exit status 1 (reasons: missing_header, bad_format, stale, mismatch, bad_body).

Headers: --header 'x-timestamp: 1700000000' (repeatable, any of the delivery's headers), or
--signature / --timestamp / --webhook-id. The secret is the API secret, from ${ENV_SECRET} or
from --secret-file FILE (one secret per line: an old and a new one while rotating). It is never
taken on the command line, where other users could read it in the process list.

  payroll-sdk webhook verify --signature v2=5d1c... --timestamp 1700000000 < body.json
  payroll-sdk webhook verify --header 'x-pinwheel-signature: v2=5d1c...' \\
      --header 'x-timestamp: 1700000000' --body body.json"""

_SIGN_DESCRIPTION = f"""\
Sign a body (stdin, or --body FILE) the way Pinwheel signs deliveries and print the headers a
delivery would carry, one 'name: value' per line (or --json), to test a webhook receiver.
The secret is ${ENV_SECRET}, or the first line of --secret-file FILE; it is never printed."""


def add_webhook_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "webhook",
        help="verify or sign webhook deliveries",
        description="Verify a webhook delivery, or sign a body to test a receiver.",
    )
    actions = parser.add_subparsers(dest="webhook_action", metavar="ACTION", required=True)

    check = actions.add_parser(
        "verify",
        help="verify a delivery and print its typed event",
        description=_VERIFY_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_secret_option(check, repeatable=True)
    _add_body_option(check)
    check.add_argument(
        "--header",
        dest="headers",
        action="append",
        type=_header,
        default=[],
        metavar="'NAME: VALUE'",
        help="a header of the delivery (repeatable)",
    )
    check.add_argument("--signature", help=f"the {SIGNATURE_HEADER} header ('v2=...')")
    check.add_argument("--timestamp", help=f"the {TIMESTAMP_HEADER} header (unix seconds)")
    check.add_argument("--webhook-id", help=f"the {WEBHOOK_ID_HEADER} header")
    check.add_argument(
        "--tolerance",
        type=_tolerance,
        default=DEFAULT_TOLERANCE,
        metavar="SECONDS",
        help=f"how far x-timestamp may be from now (default {DEFAULT_TOLERANCE}; 'none' to "
        "skip the check, e.g. for a stored delivery)",
    )
    check.set_defaults(handler=run_verify)

    signer = actions.add_parser(
        "sign",
        help="print the headers a delivery of a body would carry",
        description=_SIGN_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_secret_option(signer, repeatable=False)
    _add_body_option(signer)
    signer.add_argument("--timestamp", type=int, help="unix seconds to sign with (default: now)")
    signer.add_argument("--webhook-id", help="the delivery id (default: a new UUID)")
    signer.add_argument("--json", action="store_true", help="print the headers as a JSON object")
    signer.set_defaults(handler=run_sign)


def _add_secret_option(parser: argparse.ArgumentParser, *, repeatable: bool) -> None:
    parser.add_argument(
        "--secret-file",
        metavar="FILE",
        help=f"read the secret from FILE instead of ${ENV_SECRET}"
        + (" (one per line: each is accepted)" if repeatable else " (its first line)"),
    )
    # Refused with a message rather than unknown: it used to exist, and a secret typed there
    # is visible to every user of the machine (ps) and kept in the shell's history.
    parser.add_argument("--secret", action=_RefusedSecret, help=argparse.SUPPRESS)


class _RefusedSecret(argparse.Action):
    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        parser.error(
            f"--secret is not accepted: a secret on the command line is visible to other users "
            f"(ps) and kept in shell history. Set {ENV_SECRET}, or use --secret-file FILE."
        )


def _add_body_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--body", default="-", metavar="FILE", help="the raw body (default '-': stdin)"
    )


def _header(text: str) -> tuple[str, str]:
    name, sep, value = text.partition(":")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"expected 'NAME: VALUE', got {text!r}")
    return name.strip().lower(), value.strip()


def _tolerance(text: str) -> int | None:
    if text.lower() == "none":
        return None
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seconds or 'none', got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be >= 0")
    return value


def _secrets(path: str | None) -> list[str]:
    """The secrets of ``--secret-file`` (one per line, blank lines ignored), else the env's."""
    if path is None:
        secret = os.environ.get(ENV_SECRET)
        if not secret:
            raise CommandError(
                f"no webhook secret: set {ENV_SECRET} (the API secret signs webhooks), or "
                "pass --secret-file FILE",
                ExitCode.CONFIGURATION,
            )
        return [secret]
    try:
        with open(path, encoding="utf-8") as lines:
            secrets = [line.strip() for line in lines if line.strip()]
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"cannot read the secret file {path}: {exc}", ExitCode.USAGE) from exc
    if not secrets:
        raise CommandError(f"the secret file {path} is empty", ExitCode.CONFIGURATION)
    return secrets


def _read_body(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    try:
        with open(path, "rb") as body:
            return body.read()
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc}", ExitCode.USAGE) from exc


def run_verify(args: argparse.Namespace) -> int:
    secrets = _secrets(args.secret_file)
    headers = dict(args.headers)
    for name, value in (
        (SIGNATURE_HEADER, args.signature),
        (TIMESTAMP_HEADER, args.timestamp),
        (WEBHOOK_ID_HEADER, args.webhook_id),
    ):
        if value is not None:
            headers[name] = value
    body = _read_body(args.body)
    try:
        event = verify(body, headers, secret=secrets, tolerance=args.tolerance)
    except WebhookVerificationError as exc:
        print(f"{PROG}: webhook rejected ({exc.reason}): {exc}", file=sys.stderr)
        return ExitCode.FAILURE
    sys.stdout.write(event.model_dump_json(indent=2) + "\n")
    print(f"verified: {type(event).__name__} {event.event}", file=sys.stderr)
    return ExitCode.OK


def run_sign(args: argparse.Namespace) -> int:
    secret = _secrets(args.secret_file)[0]
    body = _read_body(args.body)
    headers = sign(body, secret=secret, timestamp=args.timestamp, webhook_id=args.webhook_id)
    if args.json:
        sys.stdout.write(json.dumps(headers, indent=2) + "\n")
    else:
        sys.stdout.write("".join(f"{name}: {value}\n" for name, value in headers.items()))
    return ExitCode.OK
