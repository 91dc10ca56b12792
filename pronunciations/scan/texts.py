"""The texts a scan reads: pasted text or a .txt, .csv, .jsonl, .srt or .vtt file, as turns.

A turn is one piece a client sends at once (a paragraph, a CSV cell, a JSON Lines string, a
subtitle cue): rules whose match spans two turns are the ones a streaming client splits. Every
reader is bounded before it parses (bytes, rows, nesting depth) and refuses what is not text
(NUL and other control bytes, bytes that are not UTF-8) with an error naming the file.
"""

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from pronunciations.errors import RequestTooLarge

FORMATS = ("txt", "csv", "jsonl", "srt", "vtt")
# Control characters no agent text holds (tab, line feed and carriage return are text).
_BINARY = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_PARAGRAPH = re.compile(r"\n[ \t]*\n")
_TAG = re.compile(r"<[^>\n]{0,200}>")
_TIMING = re.compile(r"-->")
_CUE_NUMBER = re.compile(r"\d+")


@dataclass(frozen=True)
class TextLimits:
    """A scan's caps: bytes of text, rows (lines, records, cues) and JSON nesting depth."""

    max_bytes: int
    max_rows: int
    max_depth: int


class ScanTooLarge(RequestTooLarge):
    """413: the text is past one of the scan's caps; the message names it."""

    def __init__(self, problem: str) -> None:
        super().__init__(f"The text is too large to scan: {problem}.")


def _refuse(message: str) -> ValidationError:
    return ValidationError({"file": [message]})


def scan_format(requested: object, file_name: str) -> str:
    """The file's format: the one asked for, else its extension; .txt when neither says."""
    name = str(requested or "").strip().lower() or file_name.rsplit(".", 1)[-1].lower()
    if "." not in file_name and not requested:
        return "txt"
    if name not in FORMATS:
        raise ValidationError({"format": [f"scan reads {', '.join(FORMATS)}, not “{name[:20]}”"]})
    return name


def decode(data: bytes, limits: TextLimits) -> str:
    """UTF-8 text (a byte-order mark allowed), bounded and free of binary control bytes."""
    if len(data) > limits.max_bytes:
        raise ScanTooLarge(f"at most {limits.max_bytes} bytes, this is {len(data)}")
    binary = _BINARY.search(data)
    if binary is not None:
        raise _refuse(
            f"is not text: byte 0x{binary.group()[0]:02x} at offset {binary.start()} "
            "(a binary file, or NUL)"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _refuse(f"is not UTF-8: byte 0x{data[exc.start]:02x} at offset {exc.start}") from None


def _bounded(turns: Iterator[str], limits: TextLimits) -> list[str]:
    found = []
    for count, turn in enumerate(turns, start=1):
        if count > limits.max_rows:
            raise ScanTooLarge(f"at most {limits.max_rows} rows")
        if turn.strip():
            found.append(turn)
    return found


def _paragraphs(text: str) -> Iterator[str]:
    yield from _PARAGRAPH.split(text.replace("\r\n", "\n"))


def _csv_cells(text: str) -> Iterator[str]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for row in reader:
            yield from row
    except csv.Error as exc:
        raise _refuse(f"line {reader.line_num}: {exc}") from None


def _depth(line: str) -> int:
    """The deepest nesting of arrays and objects in one JSON text, counted before parsing (a
    line of 100,000 "[" is refused without the parser recursing), strings skipped."""
    depth = deepest = 0
    in_string = escaped = False
    for char in line:
        if in_string:
            escaped, in_string = (False, True) if escaped else (char == "\\", char != '"')
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _strings(value: object) -> Iterator[str]:
    """Every string value (not key) in a parsed JSON value, without recursion."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, list):
            stack.extend(reversed(item))


def _jsonl_strings(text: str, limits: TextLimits) -> Iterator[str]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if _depth(line) > limits.max_depth:
            raise _refuse(f"line {number}: nested deeper than {limits.max_depth} levels")
        try:
            value = json.loads(line)
        except ValueError as exc:
            raise _refuse(f"line {number}: not valid JSON: {exc}") from None
        yield from _strings(value)


def _cues(text: str) -> Iterator[str]:
    """The text of each subtitle cue (SRT or WebVTT): numbers, timings, headers, notes and
    styling tags left out."""
    for block in _PARAGRAPH.split(text.replace("\r\n", "\n")):
        lines = [line for line in block.split("\n") if line.strip()]
        if not lines or lines[0].startswith(("WEBVTT", "NOTE", "STYLE", "REGION")):
            continue
        timing = next((i for i, line in enumerate(lines) if _TIMING.search(line)), None)
        if timing is None:
            continue
        yield " ".join(_TAG.sub("", line) for line in lines[timing + 1 :])


def read_turns(data: bytes, file_format: str, limits: TextLimits) -> list[str]:
    """The file's turns, in order; raises ValidationError (not text, malformed) or ScanTooLarge."""
    text = decode(data, limits)
    if file_format == "csv":
        csv.field_size_limit(limits.max_bytes)
        return _bounded(_csv_cells(text), limits)
    if file_format == "jsonl":
        return _bounded(_jsonl_strings(text, limits), limits)
    if file_format in ("srt", "vtt"):
        return _bounded(_cues(text), limits)
    return _bounded(_paragraphs(text), limits)
