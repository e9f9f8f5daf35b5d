"""`convoscope demo-server`: the bundled demo server on a port, with optional faults."""

from __future__ import annotations

import argparse
from collections.abc import Sequence


def _status_rate(text: str) -> tuple[int, float]:
    try:
        status, rate = text.split("=", 1)
        status_code, probability = int(status), float(rate)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected STATUS=PROBABILITY like 500=0.1, got {text!r}")
    if not (400 <= status_code <= 599 and 0.0 <= probability <= 1.0):
        raise argparse.ArgumentTypeError(f"status must be 400-599 and probability 0-1: {text!r}")
    return status_code, probability


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="convoscope demo-server",
        description="Serve the bundled demo conversations (and conv_synth_<N>) as a "
        "Conversations API at http://HOST:PORT/v1. Any API key is accepted.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    from convoscope.demo.impersonate import PERSONAS

    parser.add_argument(
        "--impersonate",
        choices=list(PERSONAS),
        default="demo",
        metavar="SERVER",
        help="answer like another server where servers differ: "
        + "; ".join(f"{p.name}: {p.description}" for p in PERSONAS.values()),
    )
    faults = parser.add_argument_group("faults (for tests and benchmarks)")
    faults.add_argument("--latency-ms", type=float, default=0.0, help="added to every request")
    faults.add_argument(
        "--error-rate",
        type=_status_rate,
        action="append",
        default=[],
        metavar="STATUS=P",
        help="answer STATUS with probability P (repeatable), e.g. 500=0.05",
    )
    faults.add_argument("--rate-limit-every", type=int, default=0, metavar="N",
                        help="every Nth request answers 429 with Retry-After")
    faults.add_argument("--retry-after", type=float, default=1.0, metavar="S",
                        help="seconds announced in Retry-After on those 429s")
    faults.add_argument("--truncate-every", type=int, default=0, metavar="N",
                        help="every Nth request gets a truncated JSON body")
    faults.add_argument("--stall-every", type=int, default=0, metavar="N",
                        help="every Nth request stalls before answering")
    faults.add_argument("--stall-seconds", type=float, default=30.0, metavar="S")
    faults.add_argument("--ignore-after", action="store_true",
                        help="list endpoints ignore the cursor and say has_more: false")
    faults.add_argument("--repeat-first-page", action="store_true",
                        help="list endpoints ignore the cursor and say has_more: true forever")
    faults.add_argument("--seed", type=int, default=0, help="seed for the error-rate dice")
    return parser


def main(argv: Sequence[str]) -> int:
    args = build_parser().parse_args(argv)
    from convoscope.demo.app import create_app
    from convoscope.demo.faults import Faults
    from convoscope.demo.serve import serve_forever

    faults = Faults(
        latency_ms=args.latency_ms,
        error_rates=dict(args.error_rate),
        rate_limit_every=args.rate_limit_every,
        retry_after_s=args.retry_after,
        truncate_every=args.truncate_every,
        stall_every=args.stall_every,
        stall_s=args.stall_seconds,
        ignore_after=args.ignore_after,
        repeat_first_page=args.repeat_first_page,
        seed=args.seed,
    )
    app = create_app(faults, impersonate=args.impersonate)
    if args.impersonate != "demo":
        print(f"impersonating {args.impersonate}", flush=True)
    serve_forever(app, args.host, args.port)
    return 0
