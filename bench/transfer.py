"""Transfer benchmark: CSV import/export of 400 x 250 rules vs django-import-export and COPY.

Run: ``.venv/bin/python bench/transfer.py [--dictionaries 400] [--rules 250] [--baseline-rows N]``
(and ``--baseline-export-rows N``) with PostgreSQL on loopback. It uses a database of its own
(``--database``, default ``$LEXICON_BENCH_DATABASE`` or ``lexicon_bench_transfer``), dropped and
re-created each run.
"""

import argparse
import csv
import gc
import io
import os
import sys
import time
import tracemalloc
from collections.abc import Callable

from common import django_on, reset_database


def parse_options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dictionaries", type=int, default=400)
    parser.add_argument("--rules", type=int, default=250)
    parser.add_argument(
        "--baseline-rows",
        type=int,
        default=20_000,
        help="rows of django-import-export's import to measure (0: all), extrapolated to all",
    )
    parser.add_argument(
        "--baseline-export-rows",
        type=int,
        default=0,
        help="rows of django-import-export's export to measure (0, the default: all)",
    )
    parser.add_argument(
        "--database",
        default=os.environ.get("LEXICON_BENCH_DATABASE", "lexicon_bench_transfer"),
        help="the database to drop and re-create",
    )
    return parser.parse_args()


OPTIONS = parse_options()
DATABASE = OPTIONS.database
django_on(DATABASE)

from django.db import connection  # noqa: E402
from import_export.formats.base_formats import CSV  # noqa: E402
from psycopg import sql  # noqa: E402
from transfer_baseline import rule_resource  # noqa: E402
from transfer_report import (  # noqa: E402
    Measure,
    check_counts,
    print_floor_goals,
    print_goals,
    print_method,
    print_table,
)
from transfer_rows import HEADER, Row, csv_bytes, make_rows  # noqa: E402

from orgs.actors import Actor  # noqa: E402
from orgs.models import Organization  # noqa: E402
from orgs.services import organization_create  # noqa: E402
from pronunciations import selectors  # noqa: E402
from pronunciations.models import Dictionary, Rule  # noqa: E402
from pronunciations.services import dictionary_create  # noqa: E402
from pronunciations.transfer import formats  # noqa: E402
from pronunciations.transfer.importing import ImportReport  # noqa: E402
from pronunciations.transfer.reading import import_file  # noqa: E402
from pronunciations.transfer.rows import export_columns  # noqa: E402
from pronunciations.validation import match_key  # noqa: E402

MIB = 1024 * 1024
SCRATCH = "bench_transfer_scratch"
COPY_IN = f"COPY {SCRATCH} FROM STDIN WITH (FORMAT csv, HEADER true)"
COPY_RULES = (
    'COPY pronunciations_rule (dictionary_id, mode, match, value, position, "key") '
    "FROM STDIN WITH (FORMAT csv, HEADER true)"
)
COPY_OUT = (
    "COPY (SELECT d.name, r.mode, r.match, r.value, r.position FROM pronunciations_rule r "
    "JOIN pronunciations_dictionary d ON d.id = r.dictionary_id WHERE d.organization_id = {} "
    "ORDER BY d.normalized_name, r.mode, r.position) TO STDOUT WITH (FORMAT csv, HEADER true)"
)

Step = Callable[[], tuple[int, int]]  # one run of a measured step: (rows, bytes) it handled
Prepare = Callable[[str], Step]  # fresh state for a run tagged "timed" or "traced", untimed


# -- measuring ------------------------------------------------------------------------------


def analyze() -> None:
    """Fresh planner statistics, as autovacuum would leave them after the bulk loads."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def measure(label: str, prepare: Prepare, total: int) -> Measure:
    """Time a run without tracemalloc, then take the peak from a second, fresh, traced run."""
    step = prepare("timed")
    analyze()
    gc.collect()
    started = time.perf_counter()
    rows, size = step()
    seconds = time.perf_counter() - started
    traced = prepare("traced")
    analyze()
    gc.collect()
    tracemalloc.start()
    traced()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"  {label}: {seconds:.2f} s for {rows:,} rows", file=sys.stderr)
    return Measure(label, seconds, rows, total, size, peak / MIB)


# -- import ---------------------------------------------------------------------------------


def import_ours(organization: Organization, data: bytes) -> ImportReport:
    return import_file(
        organization=organization,
        data=data,
        file_format="csv",
        mode="replace",
        create_missing=True,
        author=Actor.for_command("bench"),
    )


def ours_import(data: bytes) -> Prepare:
    def prepare(tag: str) -> Step:
        organization = organization_create(slug=f"ours-{tag}")
        return lambda: (import_ours(organization, data).rules_added, len(data))

    return prepare


def ours_reimport(data: bytes, total: int, dictionaries: int) -> Prepare:
    """The same file again into an organization that already holds it: nothing to write."""

    def prepare(tag: str) -> Step:
        organization = organization_create(slug=f"again-{tag}")
        import_ours(organization, data)

        def step() -> tuple[int, int]:
            report = import_ours(organization, data)
            unchanged = len(report.unchanged) == dictionaries and not report.changed
            return (total if unchanged else 0), len(data)

        return step

    return prepare


def empty_dictionaries(slug: str, names: list[str]) -> tuple[Organization, dict[str, int]]:
    """A new organization holding an empty dictionary per name (untimed setup); their ids."""
    organization = organization_create(slug=slug)
    ids = {
        name: dictionary_create(
            organization=organization, name=name, modes={"rewrite": {"rules": []}}
        ).pk
        for name in names
    }
    return organization, ids


def baseline_import(rows: list[Row], names: list[str]) -> Prepare:
    """django-import-export row by row into dictionaries created beforehand, outside the timing."""
    data = csv_bytes(rows)
    text = data.decode("utf-8")

    def prepare(tag: str) -> Step:
        organization, _ = empty_dictionaries(f"baseline-{tag}", names)
        resource = rule_resource(organization)

        def step() -> tuple[int, int]:
            dataset = CSV().create_dataset(text)
            result = resource.import_data(dataset, dry_run=False, raise_errors=True)
            return int(result.totals["new"]), len(data)

        return step

    return prepare


def copy_step(statement: str, data: bytes) -> Step:
    """A timed step that writes ``data`` through one ``COPY ... FROM STDIN``."""

    def step() -> tuple[int, int]:
        with connection.cursor() as cursor:
            with cursor.cursor.copy(statement) as copy:
                copy.write(data)
            return cursor.cursor.rowcount, len(data)  # known once the COPY has ended

    return step


def copy_import(data: bytes) -> Prepare:
    """COPY into a fresh table without indexes or constraints: the physical floor."""

    def prepare(tag: str) -> Step:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {SCRATCH}")
            cursor.execute(
                f"CREATE TABLE {SCRATCH} (dictionary text, mode text, match text, value text, "
                "position int)"
            )
        return copy_step(COPY_IN, data)

    return prepare


def copy_rules_import(rows: list[Row], names: list[str]) -> Prepare:
    """COPY into pronunciations_rule itself (its five indexes and foreign key), dictionary ids
    resolved beforehand: the floor for any import that writes the real schema. Information only."""

    def prepare(tag: str) -> Step:
        _, ids = empty_dictionaries(f"copy-{tag}", names)
        data = csv_bytes((str(ids[row[0]]), *row[1:], match_key(row[2])) for row in rows)
        return copy_step(COPY_RULES, data)

    return prepare


# -- export ---------------------------------------------------------------------------------


def ours_export(organization: Organization) -> Prepare:
    """The API's CSV export path, consumed and encoded as the streaming response would."""

    def step() -> tuple[int, int]:
        queryset = selectors.dictionaries_for_export(organization=organization)
        columns = export_columns(selectors.metadata_keys(queryset))
        lines = size = 0
        for chunk in formats.csv_stream(queryset.iterator(chunk_size=200), columns):
            lines += chunk.count("\n")  # pieces of many rows; the bench's cells hold no newline
            size += len(chunk.encode("utf-8"))
        return lines - 1, size

    return lambda tag: step


def baseline_export(organization: Organization, limit: int) -> Prepare:
    """The same ModelResource's export of the organization's rules (the first ``limit``)."""
    resource = rule_resource(organization)

    def step() -> tuple[int, int]:
        queryset = Rule.objects.filter(dictionary__organization=organization)[:limit]
        dataset = resource.export(queryset=queryset)
        data = CSV().export_data(dataset).encode("utf-8")
        return len(dataset), len(data)

    return lambda tag: step


def copy_export(organization: Organization) -> Prepare:
    statement = sql.SQL(COPY_OUT).format(sql.Literal(organization.pk))

    def step() -> tuple[int, int]:
        lines = size = 0
        with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
            for chunk in copy:
                lines += bytes(chunk).count(b"\n")
                size += len(chunk)
        return lines - 1, size

    return lambda tag: step


# -- checks ---------------------------------------------------------------------------------


def check_import(data: bytes, rows: list[Row], dictionaries: int) -> list[str]:
    """Our timed import stored every dictionary and rule; re-importing it changes nothing."""
    organization = Organization.objects.get(slug="ours-timed")
    live = Dictionary.objects.filter(organization=organization, deleted_at__isnull=True).count()
    rules = Rule.objects.filter(dictionary__organization=organization).count()
    started = time.perf_counter()
    again = import_ours(organization, data)
    seconds = time.perf_counter() - started
    counts = (again.rules_added, again.rules_changed, again.rules_removed)
    unchanged = len(again.unchanged) == dictionaries and not again.changed and counts == (0, 0, 0)
    print(
        f"check (a): {live} dictionaries, {rules:,} rules stored; re-import of the "
        f"same file in {seconds:.2f} s: {len(again.unchanged)} unchanged, "
        f"{len(again.changed)} changed, {len(again.created)} created, rules +/~/- {counts}"
    )
    problems = [] if live == dictionaries and rules == len(rows) else ["(a) counts"]
    return problems if unchanged else [*problems, "(a) re-import not all unchanged"]


def check_round_trip(rows: list[Row]) -> list[str]:
    """Our export of the imported organization holds exactly the generated rows."""
    organization = Organization.objects.get(slug="ours-timed")
    queryset = selectors.dictionaries_for_export(organization=organization)
    text = formats.csv_text(queryset, export_columns([]))
    records = list(csv.DictReader(io.StringIO(text.removeprefix(formats.BOM))))
    exported = sorted(tuple(record[column] for column in HEADER) for record in records)
    same = exported == sorted(rows)
    print(f"check export (a): {len(exported):,} rows, identical to the generated rows: {same}")
    return [] if same else ["(a) export differs from the imported rows"]


# -- main -----------------------------------------------------------------------------------


def run_imports(data: bytes, rows: list[Row], sample: int) -> tuple[list[Measure], list[str]]:
    total, names = len(rows), sorted({row[0] for row in rows})
    print("import ...", file=sys.stderr)
    measures = [
        measure("(a) ours: import_file, replace, create_missing", ours_import(data), total),
        measure(
            "(b) django-import-export ModelResource, row by row",
            baseline_import(rows[:sample], names),
            total,
        ),
        measure("(c) PostgreSQL COPY into a scratch table", copy_import(data), total),
        measure(
            "(c') COPY into pronunciations_rule (indexes, FK)",
            copy_rules_import(rows, names),
            total,
        ),
        measure(
            "(d) ours: the same file again (all unchanged)",
            ours_reimport(data, total, len(names)),
            total,
        ),
    ]
    stored = Rule.objects.filter(dictionary__organization__slug="baseline-timed").count()
    return measures, check_counts("import", measures, stored)


def run_exports(total: int, sample: int) -> tuple[list[Measure], list[str]]:
    organization = Organization.objects.get(slug="ours-timed")
    print("export ...", file=sys.stderr)
    measures = [
        measure(
            "(a) ours: csv_stream of dictionaries_for_export", ours_export(organization), total
        ),
        measure(
            "(b) django-import-export ModelResource.export + CSV",
            baseline_export(organization, sample),
            total,
        ),
        measure(
            "(c) PostgreSQL COPY (SELECT ... JOIN) TO STDOUT", copy_export(organization), total
        ),
    ]
    return measures, check_counts("export", measures, measures[1].rows)


def sample_size(requested: int, total: int) -> int:
    return min(requested, total) if requested > 0 else total


def main() -> None:
    options = OPTIONS
    began = time.perf_counter()
    reset_database(DATABASE)
    rows = make_rows(options.dictionaries, options.rules)
    data, total = csv_bytes(rows), len(rows)
    import_sample = sample_size(options.baseline_rows, total)
    export_sample = sample_size(options.baseline_export_rows, total)
    print(f"{total:,} rules, {options.dictionaries} dictionaries x {options.rules}: CSV", end=" ")
    print(f"of {len(data) / MIB:.2f} MiB ({len(data):,} bytes)")
    imports, problems = run_imports(data, rows, import_sample)
    problems += check_import(data, rows, options.dictionaries)
    exports, export_problems = run_exports(total, export_sample)
    problems += export_problems + check_round_trip(rows)
    print_table("import", imports)
    print_table("export", exports)
    print()
    print_method(import_sample, export_sample, total, options.dictionaries)
    print()
    print_goals("import", imports[:4])
    print_floor_goals(imports)
    print_goals("export", exports)
    print(f"\nwhole run: {time.perf_counter() - began:.0f} s")
    if problems:
        sys.exit("checks failed: " + "; ".join(problems))


if __name__ == "__main__":
    main()
