"""Run the SLNG emulator: ``python -m sync.emulator --port 8765 --keys keys.json``."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
from collections.abc import Sequence
from pathlib import Path

from sync.emulator.server import start_emulator
from sync.emulator.state import EmulatorState

logger = logging.getLogger("sync.emulator")
LATENCY_ENV = "SLNG_EMULATOR_LATENCY_MS"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m sync.emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="port (default 8765; 0 = any)")
    parser.add_argument("--keys", help='keys file: {"keys": [{"key", "org_id", "label"}]}')
    parser.add_argument(
        "--admin",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="serve /_emulator/* (default: only when the host is loopback)",
    )
    parser.add_argument(
        "--speech",
        choices=("auto", "espeak", "tone"),
        default="auto",
        help="audio: espeak-ng speech (auto: when installed, else a tone), or a tone",
    )
    parser.add_argument(
        "--latency-ms",
        type=_milliseconds,
        default=os.environ.get(LATENCY_ENV, "0"),
        help="network latency: every HTTP call, WebSocket handshake and WebSocket client frame "
        f"is answered this much later (default ${LATENCY_ENV}, else 0)",
    )
    parser.add_argument("--log-level", default="INFO", help="logging level (default INFO)")
    return parser.parse_args(argv)


def _milliseconds(value: str) -> int:
    if not value.strip().isdigit():
        raise argparse.ArgumentTypeError(f"expected a whole number of milliseconds, got {value!r}")
    return int(value)


def build_state(args: argparse.Namespace) -> EmulatorState:
    """The emulator's state, with the keys file's keys when there is one.

    A ``--keys`` path that does not exist starts with no keys (a fresh clone has no keys file;
    issue 22): keys are then added through ``POST /_emulator/keys``. A file that exists but
    cannot be read stops the start.
    """
    speech, latency_ms = str(args.speech), int(args.latency_ms)
    if args.keys and Path(args.keys).is_file():
        return EmulatorState.from_keys_file(args.keys, speech=speech, latency_ms=latency_ms)
    if args.keys and Path(args.keys).exists():
        raise SystemExit(f"error: --keys {args.keys} is not a file")
    where = f"keys file {args.keys} does not exist" if args.keys else "no --keys file"
    logger.warning("%s: every call is 401 until a key is added (POST /_emulator/keys)", where)
    return EmulatorState(speech=speech, latency_ms=latency_ms)


async def serve(args: argparse.Namespace) -> None:
    state = build_state(args)
    running = await start_emulator(state, args.host, args.port, admin=args.admin)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    print(f"SLNG emulator listening on {running.url}", flush=True)
    await stop.wait()
    await running.close()


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(name)s %(message)s")
    asyncio.run(serve(args))


if __name__ == "__main__":
    main()
