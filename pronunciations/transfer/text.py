"""CSV and JSON, read as streams under the caps."""

import codecs
import csv
import io
import json
import re
from collections.abc import Iterator
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError

from pronunciations import validation
from pronunciations.transfer.limits import (
    CHUNK,
    MISSING,
    Budget,
    Limits,
    Record,
    not_utf8,
    too_many_columns,
)


def count_lines(file: IO[bytes]) -> int:
    lines, last = 0, b"\n"
    while chunk := file.read(CHUNK):
        lines += chunk.count(b"\n")
        last = chunk[-1:]
    file.seek(0)
    return lines + (last != b"\n")


def csv_records(file: IO[bytes], limits: Limits, *, count_only: bool = False) -> Iterator[Record]:
    file.seek(0)
    text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")
    reader = csv.reader(text)
    budget = Budget(limits)
    try:
        if count_only:
            for _ in budget.counted(reader):
                yield []
        else:
            yield from budget.counted(reader)
    except UnicodeDecodeError:
        raise _decode_error(file) from None
    except csv.Error as exc:
        raise ValidationError({"file": [f"line {reader.line_num}: {exc}"]}) from None
    finally:
        text.detach()  # leave the caller's file open


def _decode_error(file: IO[bytes]) -> ValidationError:
    """Where the first byte that is not UTF-8 is (the decoder's own offset is per chunk)."""
    file.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    while chunk := file.read(CHUNK):
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError as exc:
            position = exc.start - len(exc.object) + len(chunk)  # pending bytes come first
            start = offset + position
            file.seek(start)
            return not_utf8(file.read(1)[0], start)
        offset += len(chunk)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:  # a multi-byte sequence cut off by the end of the file
        start = offset - len(exc.object) + exc.start
        file.seek(start)
        return not_utf8(file.read(1)[0], start)
    return not_utf8(0, offset)


def decode_text(file: IO[bytes]) -> str:
    """The whole file as text: UTF-8 with or without a byte-order mark."""
    file.seek(0)
    data = file.read()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise not_utf8(data[exc.start], exc.start) from None


# JSON -----------------------------------------------------------------------------------------

_WHITESPACE = re.compile(r"[ \t\n\r]*")


def _skip(text: str, at: int) -> int:
    """The index of the first character at or after ``at`` that is not JSON whitespace."""
    found = _WHITESPACE.match(text, at)
    return found.end() if found else at


def _json_items(text: str) -> Iterator[tuple[int, Any]]:
    """The elements of a top-level array, one at a time, each bounded in depth."""
    decoder = json.JSONDecoder()
    at = _skip(text, 0)
    if text[at : at + 1] != "[":
        raise ValidationError({"file": ["a JSON import is an array of row objects"]})
    at = _skip(text, at + 1)
    number = 0
    if text[at : at + 1] == "]":
        return
    while True:
        number += 1
        field = f"rows[{number}]"
        try:
            item, end = decoder.raw_decode(text, at)
        except RecursionError:
            validation.parse_json(text[at:], field=field)  # raises the depth error
            raise ValidationError({field: ["is not valid JSON"]}) from None
        except ValueError as exc:
            raise ValidationError({"file": [f"the file is not valid JSON: {exc}"]}) from None
        if validation.json_depth(item) > settings.LEXICON_MAX_JSON_DEPTH:
            validation.parse_json(text[at:end], field=field)  # raises the depth error
        yield number, item
        at = _skip(text, end)
        separator = text[at : at + 1]
        if separator == "]":
            rest = text[at + 1 :].strip()
            if rest:
                raise ValidationError({"file": ["the file is not valid JSON: extra data"]})
            return
        if separator != ",":
            raise ValidationError({"file": ["the file is not valid JSON: expected ',' or ']'"]})
        at = _skip(text, at + 1)


def json_table(file: IO[bytes], limits: Limits) -> tuple[list[str], Iterator[Record]]:
    """Two passes over the text: the union of keys for the headers, then the records (MISSING
    where a row object lacks a key)."""
    text = decode_text(file)
    headers: dict[str, None] = {}
    budget = Budget(limits)
    budget.row(0)  # JSON has no header row
    for _, item in _json_items(text):
        if not isinstance(item, dict):
            raise ValidationError({"file": ["a JSON import is an array of row objects"]})
        budget.row(len(item))
        headers.update(dict.fromkeys(item))
        if len(headers) > limits.columns:
            raise too_many_columns(limits)
    columns = list(headers)

    def records() -> Iterator[Record]:
        for _, item in _json_items(text):
            yield [item.get(column, MISSING) for column in columns]

    return columns, records()
