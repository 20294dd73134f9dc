"""``sagemaker-stub serve``: the local server, for use from another process."""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import time
from collections.abc import Sequence
from typing import Any, get_args

from ._options import Cassette, RecordMode
from ._serve import serve
from ._server.access import is_loopback

__all__ = ["main"]


def _version() -> str:
    """The installed distribution's version."""
    from importlib.metadata import version  # noqa: PLC0415 - only for --version

    return version("sagemaker-stub")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sagemaker-stub",
        description="Test doubles for Amazon SageMaker Runtime.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", required=True)
    server = commands.add_parser(
        "serve",
        help="serve the SageMaker Runtime API (and S3 for async outputs) over HTTP",
        description=(
            "Serve the SageMaker Runtime API over HTTP until interrupted. Queue "
            "results through the control API (docs/server.md) or moto's "
            "/moto-api/static/sagemaker/ endpoints."
        ),
    )
    server.add_argument("--host", default="127.0.0.1", help="default: 127.0.0.1")
    server.add_argument(
        "--port",
        type=int,
        default=5000,
        help="default: 5000, as moto's server; 0 for any",
    )
    server.add_argument(
        "--moto-compatible",
        action="store_true",
        help="behave as moto's server: a default body for a call with nothing "
        "queued, no validation",
    )
    server.add_argument(
        "--allow-defaults",
        action="store_true",
        help="answer a call with nothing queued with moto's default body "
        "(by default: NoResultError, HTTP 400)",
    )
    server.add_argument("--account-id", default=None, help="default: 123456789012")
    server.add_argument(
        "--keep-bodies", action="store_true", help="keep request bodies in the calls"
    )
    server.add_argument(
        "--no-validate", action="store_true", help="do not validate as the service does"
    )
    server.add_argument(
        "--cassette",
        default=None,
        metavar="FILE",
        help="replay (or record) this cassette (docs/cassettes.md)",
    )
    server.add_argument(
        "--record-mode",
        default="none",
        choices=get_args(RecordMode),
        help=(
            "how the cassette is used: none (replay only, the default), once, "
            "new_episodes, all; recorded calls are forwarded to SageMaker with "
            "this process's AWS credentials"
        ),
    )
    server.add_argument(
        "--match",
        default="identity",
        choices=("identity", "order"),
        help=(
            "how a request finds its recording: identity (its own, the "
            "default) or order (else the endpoint's next)"
        ),
    )
    server.add_argument(
        "--redact",
        action="append",
        default=[],
        metavar="NAME",
        help=(
            "keep a request parameter (CustomAttributes) or JSON body member "
            "(Body.api_key) out of the cassette, matched all the same; repeatable"
        ),
    )
    server.add_argument(
        "--upstream-url",
        default=None,
        metavar="URL",
        help="forward recorded calls here instead of SageMaker's endpoint",
    )
    server.add_argument(
        "--upstream-region",
        default=None,
        metavar="REGION",
        help=(
            "forward recorded calls to this region (default: this process's "
            "AWS_DEFAULT_REGION or config); 'caller' for the region each call was "
            "signed for"
        ),
    )
    security = server.add_argument_group("security (docs/server.md#security)")
    security.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="NAME",
        help=(
            "answer requests for this Host name too (IP addresses and localhost "
            "always are), e.g. a compose service name; '*' for any; repeatable"
        ),
    )
    security.add_argument(
        "--allow-origin",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="serve browser requests from this origin; '*' for any; repeatable",
    )
    security.add_argument(
        "--control-token",
        default=None,
        metavar="TOKEN",
        help=(
            "the token the control API requires in X-SageMaker-Stub-Token "
            "(default: $SAGEMAKER_STUB_CONTROL_TOKEN, else a random one printed "
            "at start when --host is not loopback)"
        ),
    )
    security.add_argument(
        "--no-control-token",
        action="store_true",
        help="let anyone who reaches the port use the control API",
    )
    security.add_argument(
        "--max-connections",
        type=int,
        default=None,
        metavar="N",
        help="connections served at once (default: 1024); more are answered 503",
    )
    return parser


def serve_options(args: argparse.Namespace) -> dict[str, Any]:
    """The keywords of :func:`serve` that ``sagemaker-stub serve``'s flags give."""
    options: dict[str, Any] = {
        "moto_compatible": args.moto_compatible,
        "keep_bodies": args.keep_bodies,
        "upstream_url": args.upstream_url,
        "upstream_region": args.upstream_region,
        "allowed_hosts": args.allow_host,
        "allowed_origins": args.allow_origin,
    }
    token = args.control_token or os.environ.get("SAGEMAKER_STUB_CONTROL_TOKEN")
    if args.no_control_token:
        options["control_token"] = False
    elif token:
        options["control_token"] = token
    if args.max_connections is not None:
        options["max_connections"] = args.max_connections
    # Given only when asked for: otherwise moto_compatible chooses them.
    if args.allow_defaults:
        options["allow_defaults"] = True
    if args.no_validate:
        options["validate"] = False
    if args.account_id is not None:
        options["account_id"] = args.account_id
    return options


def _security_lines(args: argparse.Namespace, token: str | None) -> list[str]:
    """What start-up says about who can reach the server."""
    local = is_loopback(args.host)
    if local:
        lines = ["  reachable from this machine only (--host is loopback)"]
    else:
        lines = [f"  reachable from other hosts: listening on {args.host}"]
    if token is not None:
        lines.append(f"  control API token (send as X-SageMaker-Stub-Token): {token}")
    elif not local:
        lines.append(
            "  WARNING: --no-control-token: anyone who reaches the port can reset, "
            "queue and read calls"
        )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``sagemaker-stub``; returns the exit status."""
    args = _parser().parse_args(argv)
    options = serve_options(args)
    try:
        if args.cassette is not None:
            options["cassette"] = Cassette(
                args.cassette,
                record_mode=args.record_mode,
                match=args.match,
                redact=args.redact,
            )
        server = serve(args.host, args.port, **options)
        server.start()
    except (TypeError, ValueError) as exc:
        print(f"sagemaker-stub serve: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a busy port, a host that is not this machine's
        print(
            f"sagemaker-stub serve: cannot listen on {args.host}:{args.port}: "
            f"{exc.strerror or exc}.",
            file=sys.stderr,
        )
        return 2
    # SIGTERM raises in the main thread, wherever it is waiting. (Setting an
    # Event from the handler could deadlock: the handler runs in the thread
    # that may hold the Event's own lock.)
    signal.signal(signal.SIGTERM, _terminated)
    try:
        with contextlib.suppress(KeyboardInterrupt, _Terminated):
            print(f"sagemaker-stub serving on {server.url}", flush=True)
            for line in _security_lines(args, server.control_token):
                print(line, flush=True)
            while True:
                time.sleep(3600)
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a second one ends it
        server.stop()
    return 0


class _Terminated(Exception):
    """SIGTERM arrived."""


def _terminated(signum: int, frame: object) -> None:
    raise _Terminated


if __name__ == "__main__":  # pragma: no cover - python -m sagemaker_stub._cli
    raise SystemExit(main())
