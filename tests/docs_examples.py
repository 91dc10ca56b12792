"""How tests/test_docs.py runs the shell examples of README.md and the documentation site.

- Every ```` ```bash ```` block runs, page by page in the site's order (README.md first, then
  mkdocs.yml's nav) and in order within a page, in one shell. Blocks fenced ```` ```shell ````
  (set-up, deployment, long-running processes) are shown, not run.
- Each command must exit 0 and, when it runs curl, get a 2xx answer, unless its last line ends with
  ``# -> NNN`` (that HTTP status; the exit status is then not checked, as ``curl -f`` fails on
  4xx), ``# -> NNN or MMM`` (either: a clean-up that finds something to remove or not) or
  ``# -> exit N``.
- A ```` ```json ```` or ```` ```text ```` block right after a run block is the output of that
  block's last command. ``…`` stands for anything: inside a string or line, any characters; a
  whole ``"…"`` value, any value; a ``"…": "…"`` member, any other members; a last ``"…"`` array
  item, any further items; a ``…`` text line, any number of lines.
"""

import json
import re
import shlex
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ELLIPSIS = "…"
MARKER = re.compile(
    r"#\s*->\s*(?:(?P<status>\d{3})(?: or (?P<other>\d{3}))?|exit (?P<exit>\d+))\s*$"
)


@dataclass
class Command:
    text: str
    line: int  # where it starts in its page
    page: str = "README.md"
    status: int | None = None
    other_status: int | None = None  # ``# -> NNN or MMM``: MMM is as good
    exit: int | None = None


@dataclass
class Block:
    line: int
    page: str
    commands: list[Command]
    output: tuple[str, str] | None = None  # ("json" | "text", the shown output)


@dataclass
class Result:
    command: Command
    exit: int
    status: int | None
    stdout: str
    stderr: str
    seconds: float = 0.0  # how long the command took


def _complete(text: str) -> bool:
    """Whether bash parses ``text`` as whole commands (``bash -n`` reads without running)."""
    return (
        subprocess.run(["bash", "-n", "-c", text], capture_output=True, check=False).returncode == 0
    )


def _commands(body: list[str], first_line: int, page: str) -> list[Command]:
    commands: list[Command] = []
    buffer: list[str] = []
    start = first_line
    for number, line in enumerate(body, first_line):
        if not buffer and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if not buffer:
            start = number
        buffer.append(line)
        text = "\n".join(buffer)
        if text.endswith("\\"):
            continue
        if not _complete(text):  # an open quote, loop or pipe: the command goes on
            continue
        command = Command(text, start, page)
        marker = MARKER.search(buffer[-1])
        if marker and marker["status"]:
            command.status = int(marker["status"])
            command.other_status = int(marker["other"]) if marker["other"] else None
        elif marker:
            command.exit = int(marker["exit"])
        commands.append(command)
        buffer = []
    if buffer:
        raise ValueError(f"{page}:{start}: unfinished command")
    return commands


def blocks(markdown: str, page: str = "README.md") -> list[Block]:
    lines = markdown.splitlines()
    found: list[Block] = []
    last_end = -2  # the line after the last run block
    index = 0
    while index < len(lines):
        if not lines[index].startswith("```"):
            index += 1
            continue
        info = lines[index][3:].split()
        opened = index
        index += 1
        body = []
        while not lines[index].startswith("```"):
            body.append(lines[index])
            index += 1
        index += 1
        kind = info[0] if info else ""
        if kind == "bash":
            found.append(Block(opened + 1, page, _commands(body, opened + 2, page)))
            last_end = index
        elif (
            kind in ("json", "text")
            and last_end >= 0
            and all(not line.strip() for line in lines[last_end:opened])
        ):
            found[-1].output = (kind, "\n".join(body))
    return found


@dataclass
class Runner:
    """Runs blocks in one bash process, recording each command's exit, HTTP status and output."""

    directory: Path
    env: dict[str, str]
    substitutions: dict[str, str] = field(default_factory=dict)
    timeout: float = 300  # seconds for all the blocks

    def run(self, found: list[Block]) -> list[list[Result]]:
        work = self.directory / ".readme"
        work.mkdir(exist_ok=True)
        script = [
            "set -u",
            f"cd {shlex.quote(str(self.directory))}",
            f"__d={shlex.quote(str(work))}",
            # Every curl also writes its response headers, so the status can be checked.
            'curl() { command curl -D "$__d/headers" "$@"; }',
        ]
        numbered: list[list[tuple[int, Command]]] = []
        count = 0
        for block in found:
            numbered.append([])
            for command in block.commands:
                text = command.text
                for old, new in self.substitutions.items():
                    text = text.replace(old, new)
                script += [
                    'rm -f "$__d/headers"',
                    "__t=$EPOCHREALTIME",
                    "{",
                    text,
                    f'}} >"$__d/out.{count}" 2>"$__d/err.{count}"',
                    f'echo $? >"$__d/rc.{count}"',
                    f'echo "$__t $EPOCHREALTIME" >"$__d/time.{count}"',
                    f'[ -f "$__d/headers" ] && mv "$__d/headers" "$__d/headers.{count}"',
                ]
                numbered[-1].append((count, command))
                count += 1
        script.append("exit 0")
        subprocess.run(
            ["bash", "-c", "\n".join(script)], env=self.env, timeout=self.timeout, check=False
        )
        return [[self._result(work, n, command) for n, command in block] for block in numbered]

    @staticmethod
    def _result(work: Path, n: int, command: Command) -> Result:
        def read(name: str) -> str:
            path = work / f"{name}.{n}"
            return path.read_text(errors="replace") if path.exists() else ""

        statuses = re.findall(r"^HTTP/\S+ (\d{3})", read("headers"), re.MULTILINE)
        rc = read("rc").strip()
        times = [float(value) for value in read("time").split()]
        return Result(
            command,
            int(rc) if rc else -1,
            int(statuses[-1]) if statuses else None,
            read("out"),
            read("err"),
            times[1] - times[0] if len(times) == 2 else 0.0,
        )


def check(result: Result) -> str | None:
    """What is wrong with a command's result, or None."""
    command = result.command
    if command.status is not None:
        if result.status not in (command.status, command.other_status):
            expected = " or ".join(str(s) for s in (command.status, command.other_status) if s)
            return f"HTTP status {result.status}, expected {expected}"
        return None
    expected_exit = command.exit or 0
    if result.exit != expected_exit:
        return f"exit status {result.exit}, expected {expected_exit}"
    if command.exit is None and result.status is not None and not 200 <= result.status < 300:
        return f"HTTP status {result.status}, expected 2xx"
    return None


def _pattern(expected: str) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(part) for part in expected.split(ELLIPSIS)), re.DOTALL)


def json_matches(expected: Any, actual: Any) -> bool:
    if expected == ELLIPSIS:
        return True
    if isinstance(expected, str):
        return isinstance(actual, str) and _pattern(expected).fullmatch(actual) is not None
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return False
        open_ended = expected.get(ELLIPSIS) == ELLIPSIS
        keys = set(expected) - {ELLIPSIS}
        if not keys <= set(actual) or (not open_ended and keys != set(actual)):
            return False
        return all(json_matches(expected[key], actual[key]) for key in keys)
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return False
        if expected and expected[-1] == ELLIPSIS:
            head = expected[:-1]
            return len(actual) >= len(head) and all(map(json_matches, head, actual))
        return len(expected) == len(actual) and all(map(json_matches, expected, actual))
    return bool(expected == actual and type(expected) is type(actual))


def text_matches(expected: str, actual: str) -> bool:
    lines = [
        "(?:.*\\n)*?" if line == ELLIPSIS else _pattern(line).pattern + "\\n"
        for line in expected.splitlines()
    ]
    return (
        re.fullmatch("".join(lines), actual if actual.endswith("\n") else actual + "\n") is not None
    )


def output_matches(kind: str, expected: str, actual: str) -> bool:
    if kind == "text":
        return text_matches(expected, actual)
    try:
        value = json.loads(actual)
    except ValueError:
        return False
    return json_matches(json.loads(expected), value)
