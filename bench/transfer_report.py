"""The transfer benchmark's measures and report: each step's table, its goals met or not."""

from dataclasses import dataclass

MIB = 1024 * 1024
GOAL_FASTER, GOAL_FLOOR = 10.0, 10.0
# Issue 28: first import <= 1.5x COPY into the rules table, unchanged re-import <= 10 % of a first
# import, peak Python allocations for the import <= 32 MiB.
GOAL_RULES_COPY, GOAL_UNCHANGED, GOAL_PEAK_MIB = 1.5, 0.10, 32.0


@dataclass(frozen=True)
class Measure:
    """One step: wall time of the timed run on ``rows`` of ``total``; peak of the traced run."""

    label: str
    seconds: float
    rows: int
    total: int
    size: int
    peak_mib: float

    @property
    def extrapolated(self) -> bool:
        return self.rows < self.total

    @property
    def full_seconds(self) -> float:
        """Seconds for all rows: measured, or extrapolated linearly from the sample."""
        return self.seconds * self.total / self.rows


def check_counts(kind: str, measures: list[Measure], baseline_count: int) -> list[str]:
    """Every step handled the rows it was given; (b) import's count comes from the database."""
    expected = [m.total for m in measures]
    expected[1] = measures[1].rows
    handled = [m.rows for m in measures]
    handled[1] = baseline_count
    counts = ", ".join(
        f"{m.label.split()[0]} {n:,} ({m.size / MIB:.2f} MiB)"
        for m, n in zip(measures, handled, strict=True)
    )
    print(f"check {kind}: rows handled (CSV size) {counts}")
    return [f"{kind}: row counts {handled} != {expected}"] if handled != expected else []


# -- report ---------------------------------------------------------------------------------


def print_table(title: str, measures: list[Measure]) -> None:
    ours = measures[0].full_seconds
    print(f"\n{title}")
    print(f"{'step':<56} {'seconds':>9} {'rows/s':>10} {'peak MiB':>9} {'vs ours':>8}")
    for m in measures:
        mark = "*" if m.extrapolated else " "
        rate = m.rows / m.seconds
        ratio = m.full_seconds / ours
        print(
            f"{m.label:<56} {m.full_seconds:>8.2f}{mark} {rate:>10,.0f} {m.peak_mib:>9.1f} "
            f"{ratio:>7.2f}x"
        )
    for m in measures:
        if m.extrapolated:
            print(
                f"  * extrapolated: measured {m.seconds:.2f} s on the first {m.rows:,} rows, "
                f"scaled linearly to {m.total:,}; its peak MiB is for those {m.rows:,} rows"
            )


def print_goals(kind: str, measures: list[Measure]) -> None:
    ours, baseline, floor = (m.full_seconds for m in measures[:3])
    faster, above_floor = baseline / ours, ours / floor
    basis = " (baseline extrapolated)" if measures[1].extrapolated else ""
    print(
        f"{kind}: ours is {faster:.1f}x faster than django-import-export row by row{basis} "
        f"(goal >= {GOAL_FASTER:.0f}x): {'met' if faster >= GOAL_FASTER else 'not met'}"
    )
    print(
        f"{kind}: ours is {above_floor:.1f}x the COPY floor (goal <= {GOAL_FLOOR:.0f}x): "
        f"{'met' if above_floor <= GOAL_FLOOR else 'not met'}"
    )
    for extra in measures[3:]:
        ratio = ours / extra.full_seconds
        print(f"{kind}: ours is {ratio:.1f}x the time of {extra.label}: information, no goal")


def print_floor_goals(imports: list[Measure]) -> None:
    """Issue 28's goals: against COPY into the rules table, the unchanged re-import, memory."""
    ours, rules_copy, again = imports[0].full_seconds, imports[3].full_seconds, imports[4]
    checks = [
        ("first import / COPY into pronunciations_rule", ours / rules_copy, GOAL_RULES_COPY, "x"),
        ("unchanged re-import / first import", again.full_seconds / ours, GOAL_UNCHANGED, ""),
        ("first import peak MiB (tracemalloc)", imports[0].peak_mib, GOAL_PEAK_MIB, " MiB"),
    ]
    for label, value, goal, unit in checks:
        shown = f"{value:.0%}" if not unit else f"{value:.2f}{unit}"
        goal_shown = f"{goal:.0%}" if not unit else f"{goal:g}{unit}"
        verdict = "met" if value <= goal else "not met"
        print(f"import: {label} = {shown} (goal <= {goal_shown}): {verdict}")


def print_method(import_sample: int, export_sample: int, total: int, names: int) -> None:
    print(
        "seconds: one run without tracemalloc. peak MiB: peak of Python allocations (tracemalloc)"
        " in a\n  second run of the same step on fresh state. Allocations outside Python (libpq,"
        " the PostgreSQL\n  server) are not counted; the input file exists before the step. "
        "ANALYZE runs before each run."
    )
    print(
        f"(b) and (c') setup, outside the timing: {names} empty dictionaries created first in "
        f"an organization\n  of their own. (b) import ran on {import_sample:,} rows, (b) export "
        f"on {export_sample:,}, of {total:,}."
    )
