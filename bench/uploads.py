"""Upload benchmark: the issue's bombs and an honest 1 M-row CSV through gunicorn (production
settings, one worker), the large import as a Celery job, against COPY of the same rows.

Run: ``.venv/bin/python bench/uploads.py [--rows 1000000] [--huge-bytes 3100000000]`` with
PostgreSQL and Redis on loopback (``CELERY_BROKER_URL`` picks the Redis database). It uses a
database of its own (``--database``, default ``$LEXICON_BENCH_DATABASE`` or
``lexicon_bench_uploads``), dropped and re-created each run. For each file it prints the answer
and the web worker's resident memory: idle (just before), peak while answering (VmHWM after
resetting it through /proc/<pid>/clear_refs) and after answering. For the job it prints the
Celery worker's idle and peak memory and the import's time against COPY; then the export of the
same rules through the API (CSV, JSON, XLSX) against ``COPY ... TO STDOUT`` of the same join,
with the web worker's peak memory.
"""

import argparse
import os
import shutil
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from common import django_on, reset_database


def parse_options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--huge-bytes", type=int, default=3_100_000_000)
    parser.add_argument(
        "--exports", default="csv,json,xlsx", help="the export formats to measure, in order"
    )
    parser.add_argument(
        "--database",
        default=os.environ.get("LEXICON_BENCH_DATABASE", "lexicon_bench_uploads"),
        help="the database to drop and re-create",
    )
    return parser.parse_args()


OPTIONS = parse_options()
DATABASE = OPTIONS.database
# 1,000,000 rows are 4,000 dictionaries of 250, past an organization's default cap
# (LEXICON_MAX_DICTIONARIES): raised for this process, gunicorn and the worker (they inherit it).
os.environ.setdefault("LEXICON_MAX_DICTIONARIES", str(OPTIONS.rows // 250 + 1))
django_on(DATABASE)

import httpx  # noqa: E402
from django.db import connection  # noqa: E402
from psycopg import sql  # noqa: E402

from config.celery import app  # noqa: E402
from orgs.models import Organization  # noqa: E402
from orgs.services import api_key_create, organization_create  # noqa: E402
from pronunciations.models import Rule  # noqa: E402
from pronunciations.services import dictionary_create  # noqa: E402
from pronunciations.validation import match_key  # noqa: E402
from tests.processes import Celery, Gunicorn, production_env  # noqa: E402
from tests.pronunciations import bombs  # noqa: E402

MIB = 1024 * 1024
GOAL_MIB = 64
# Issue 28: the 1 M-row job <= 2x COPY of the same rows into pronunciations_rule, the worker's
# peak <= 128 MiB over idle; the export of the same rules <= 2x COPY ... TO STDOUT of the join.
GOAL_JOB_COPY, GOAL_JOB_MIB, GOAL_EXPORT_COPY = 2.0, 128, 2.0
COPY_OUT = (
    "COPY (SELECT d.name, r.mode, r.match, r.value, r.position FROM pronunciations_rule r "
    "JOIN pronunciations_dictionary d ON d.id = r.dictionary_id WHERE d.organization_id = {} "
    "ORDER BY d.normalized_name, r.mode, r.position) TO STDOUT WITH (FORMAT csv, HEADER true)"
)
WEB = ["gunicorn", "--config", "config/gunicorn.py", "config.wsgi:application", "--bind", "x"]


def memory(pid: int) -> dict[str, int]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0]) * 1024
    return fields


def reset_peak(pid: int) -> int:
    """Reset the process's peak RSS to its current RSS; return that (its idle level)."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")
    return memory(pid)["VmRSS"]


def web_worker(server: Gunicorn) -> int:
    pid = server.process.pid
    return int(Path(f"/proc/{pid}/task/{pid}/children").read_text().split()[0])


def post(client: httpx.Client, path: Path, **fields: str) -> httpx.Response:
    with path.open("rb") as file:
        return client.post(
            "/v1/pronunciation/import", files={"file": (path.name, file)}, data=fields
        )


def make_files(folder: Path, rows: int, huge: int) -> list[tuple[str, Path]]:
    print("generating files ...", file=sys.stderr)
    liar = bombs.huge_shared_string(folder / "liar.xlsx", 1 << 29)
    bombs.understate_size(liar, "xl/sharedStrings.xml", 100)
    deep = folder / "deep.json"
    deep.write_bytes(b"[" * 100_000)
    return [
        ("XLSX, one shared string", bombs.huge_shared_string(folder / "huge.xlsx", huge)),
        (
            "XLSX, 20 M shared strings",
            bombs.many_shared_strings(folder / "strings.xlsx", 20_000_000),
        ),
        ("XLSX, 2 M rows", bombs.many_rows(folder / "rows.xlsx", 2_000_000)),
        (
            "CSV, 1,000,001 rows",
            bombs.write_csv(folder / "over.csv", (("d", "", "", "") for _ in range(1_000_001))),
        ),
        ("XLSX, size understated", liar),
        ("JSON, 100,000 [", deep),
        (
            f"CSV, {rows:,} rows (honest)",
            bombs.write_csv(folder / "honest.csv", bombs.rule_rows(rows)),
        ),
    ]


def inflated(path: Path) -> int:
    if path.suffix != ".xlsx":
        return path.stat().st_size
    with zipfile.ZipFile(path) as archive:
        return sum(info.file_size for info in archive.infolist())


def run_refusals(
    server: Gunicorn, client: httpx.Client, files: list[tuple[str, Path]]
) -> tuple[list[str], httpx.Response]:
    worker = web_worker(server)
    problems = []
    print(
        f"\n{'file':<28} {'on disk':>9} {'declared':>10} {'status':>6} {'idle MiB':>9} "
        f"{'peak MiB':>9} {'+peak':>7} {'after':>7}  answer"
    )
    honest = None
    for label, path in files:
        idle = reset_peak(worker)
        started = time.perf_counter()
        response = post(client, path, create_missing="true")
        seconds = time.perf_counter() - started
        after = memory(worker)
        if web_worker(server) != worker:
            problems.append(f"{label}: the web worker was replaced")
            worker = web_worker(server)
        body = response.json()
        answer = body.get("error") or body.get("state")
        if body.get("fieldErrors"):
            answer += " " + str(next(iter(body["fieldErrors"].values()))[0])[:60]
        grew = (after["VmHWM"] - idle) / MIB
        print(
            f"{label:<28} {path.stat().st_size / MIB:>7.1f}Mi {inflated(path) / MIB:>8.0f}Mi "
            f"{response.status_code:>6} {idle / MIB:>9.1f} {after['VmHWM'] / MIB:>9.1f} "
            f"{grew:>+7.1f} {(after['VmRSS'] - idle) / MIB:>+7.1f}  {answer} ({seconds:.2f} s)"
        )
        if "honest" in label:
            honest = response
            if response.status_code != 202:
                problems.append(f"{label}: answered {response.status_code}, not 202")
        elif not 400 <= response.status_code < 500:
            problems.append(f"{label}: answered {response.status_code}")
        elif grew > GOAL_MIB:
            problems.append(f"{label}: web worker peak +{grew:.1f} MiB")
    assert honest is not None, "the honest CSV was not queued"
    return problems, honest


def run_job(
    client: httpx.Client, celery_pid: int, idle: int, queued: httpx.Response, rows: int
) -> tuple[float, float]:
    url = queued.headers["Location"]
    started = time.perf_counter()
    samples = 0
    while True:
        job = client.get(url).json()
        samples += 1
        if job["state"] in ("succeeded", "failed"):
            break
        time.sleep(0.5)
    seconds = time.perf_counter() - started
    peak = memory(celery_pid)["VmHWM"]
    stored = Rule.objects.filter(dictionary__organization__slug="bench").count()
    print(
        f"\nbackground job: {job['state']} in {seconds:.1f} s (queued to finished; job's own "
        f"{job['started_at']} -> {job['finished_at']}), rows_done {job['rows_done']:,} of "
        f"{job['rows_total']:,}, {stored:,} rules stored"
    )
    print(
        f"celery worker: idle {idle / MIB:.1f} MiB, peak {peak / MIB:.1f} MiB "
        f"(+{(peak - idle) / MIB:.1f} MiB) for the {rows:,}-row import"
    )
    if job["state"] != "succeeded" or stored != rows:
        sys.exit(f"the job lost rows: {job['state']}, {stored} stored of {rows}")
    return seconds, (peak - idle) / MIB


def run_exports(
    server: Gunicorn, client: httpx.Client, file_formats: list[str]
) -> dict[str, tuple[float, float, int]]:
    """Each tabular export of the whole organization through the API: seconds, the web worker's
    peak over idle (MiB) and bytes."""
    worker, results = web_worker(server), {}
    print(f"\n{'export':<8} {'seconds':>8} {'bytes':>13} {'idle MiB':>9} {'+peak':>7} status")
    for file_format in file_formats:
        idle = reset_peak(worker)
        started, size = time.perf_counter(), 0
        with client.stream("GET", f"/v1/pronunciation/export?format={file_format}") as response:
            for chunk in response.iter_raw():
                size += len(chunk)
        seconds = time.perf_counter() - started
        grew = (memory(worker)["VmHWM"] - idle) / MIB
        print(
            f"{file_format:<8} {seconds:>8.2f} {size:>13,} {idle / MIB:>9.1f} {grew:>+7.1f} "
            f"{response.status_code}"
        )
        if response.status_code == 200:
            results[file_format] = (seconds, grew, size)
    return results


def copy_export() -> tuple[float, int]:
    """COPY ... TO STDOUT of the same rules joined to their dictionaries, in export order."""
    organization_id = Organization.objects.get(slug="bench").pk
    statement = sql.SQL(COPY_OUT).format(sql.Literal(organization_id))
    started, size = time.perf_counter(), 0
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for chunk in copy:
            size += len(chunk)
    return time.perf_counter() - started, size


def copy_baselines(path: Path, rows: int) -> tuple[float, float]:
    """COPY of the same CSV into a bare table, and into pronunciations_rule with ids resolved."""
    data = path.read_bytes()
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_uploads_scratch")
        cursor.execute(
            "CREATE TABLE bench_uploads_scratch "
            "(dictionary text, mode text, match text, value text)"
        )
        started = time.perf_counter()
        with cursor.cursor.copy(
            "COPY bench_uploads_scratch FROM STDIN WITH (FORMAT csv, HEADER true)"
        ) as copy:
            copy.write(data)
        scratch = time.perf_counter() - started
    organization = organization_create(slug="copy")
    names = sorted({row[0] for row in bombs.rule_rows(rows)})
    ids = {
        name: dictionary_create(
            organization=organization, name=name, modes={"rewrite": {"rules": []}}
        ).pk
        for name in names
    }
    lines = "".join(
        f"{ids[d]}\t{mode}\t{match}\t{value}\t{i % 250}\t{match_key(match)}\n"
        for i, (d, mode, match, value) in enumerate(bombs.rule_rows(rows))
    ).encode()
    with connection.cursor() as cursor:
        started = time.perf_counter()
        with cursor.cursor.copy(
            'COPY pronunciations_rule (dictionary_id, mode, match, value, position, "key") '
            "FROM STDIN"
        ) as copy:
            copy.write(lines)
        rules = time.perf_counter() - started
    return scratch, rules


def main() -> None:
    options = OPTIONS
    began = time.perf_counter()
    reset_database(DATABASE)
    organization = organization_create(slug="bench")
    key = api_key_create(organization=organization, label="bench").plaintext
    folder = Path(tempfile.mkdtemp(prefix="bench-uploads-"))
    try:
        files = make_files(folder, options.rows, options.huge_bytes)
        server = Gunicorn(
            WEB,
            production_env(WEB_CONCURRENCY="1", GUNICORN_ACCESS_LOG="", GUNICORN_TIMEOUT="600"),
        )
        app.control.purge()
        celery = Celery(folder)
        worker = celery.worker()
        headers = {"Authorization": f"Bearer {key}"}
        try:
            with httpx.Client(base_url=server.url, headers=headers, timeout=600) as client:
                warm = bombs.write_csv(folder / "warm.csv", bombs.rule_rows(10))
                for _ in range(2):
                    post(client, warm, create_missing="true", dry_run="true")
                time.sleep(5)  # the Celery worker is up and idle
                celery_idle = reset_peak(worker.pid)
                problems, queued = run_refusals(server, client, files)
                job_seconds, job_mib = run_job(
                    client, worker.pid, celery_idle, queued, options.rows
                )
                exports = run_exports(server, client, options.exports.split(","))
        finally:
            celery.stop_all()
            server.stop()
        export_copy, export_bytes = copy_export()
        print(f"COPY ... TO STDOUT of the same join: {export_copy:.2f} s, {export_bytes:,} bytes")
        scratch, rules = copy_baselines(files[-1][1], options.rows)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(
        f"\nCOPY of the same {options.rows:,} rows: {scratch:.2f} s into a bare table, "
        f"{rules:.2f} s into pronunciations_rule (indexes, FK; dictionaries created first)"
    )
    print(
        f"background import / COPY: {job_seconds / scratch:.0f}x the bare table, "
        f"{job_seconds / rules:.1f}x pronunciations_rule"
    )
    print(
        f"goal: no refused file raises the web worker's peak by more than {GOAL_MIB} MiB: "
        f"{'met' if not problems else 'not met: ' + '; '.join(problems)}"
    )
    print(f"goal: the {options.rows:,}-row import completes as a job with nothing lost: met")
    csv_seconds, csv_mib, _ = exports.get("csv", (float("inf"), float("inf"), 0))
    goals = [
        ("the job / COPY into pronunciations_rule", job_seconds / rules, GOAL_JOB_COPY, "x"),
        ("the Celery worker's peak over idle", job_mib, GOAL_JOB_MIB, " MiB"),
        ("CSV export / COPY ... TO STDOUT", csv_seconds / export_copy, GOAL_EXPORT_COPY, "x"),
        ("the web worker's peak over idle, CSV export", csv_mib, GOAL_MIB, " MiB"),
    ]
    for label, value, goal, unit in goals:
        verdict = "met" if value <= goal else "not met"
        print(f"goal: {label} = {value:.2f}{unit} (<= {goal:g}{unit}): {verdict}")
    for file_format in [f for f in exports if f != "csv"]:
        seconds, grew, _ = exports[file_format]
        print(
            f"{file_format} export: {seconds / export_copy:.1f}x COPY ... TO STDOUT, web worker "
            f"+{grew:.1f} MiB: information, no goal"
        )
    print(f"\nwhole run: {time.perf_counter() - began:.0f} s")
    if problems:
        sys.exit(1)


if __name__ == "__main__":
    main()
