"""SLNG emulator: a loopback stand-in for SLNG's pronunciation-dictionary API and TTS WebSocket.

It imports nothing from Lexicon's apps (and no Django): it is the other side of the wire.
See docs/emulator.md.
"""

from sync.emulator.faults import Faults, SessionFaults
from sync.emulator.records import ApiKey, RequestLogEntry, SessionRecord, content_hash, load_keys
from sync.emulator.rewrite import rewrite_text
from sync.emulator.server import EmulatorThread, RunningEmulator, build_app, start_emulator
from sync.emulator.state import EmulatorState

__all__ = [
    "ApiKey",
    "EmulatorState",
    "EmulatorThread",
    "Faults",
    "RequestLogEntry",
    "RunningEmulator",
    "SessionFaults",
    "SessionRecord",
    "build_app",
    "content_hash",
    "load_keys",
    "rewrite_text",
    "start_emulator",
]
