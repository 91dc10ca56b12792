"""Bulk import, streamed: rows of the tabular layout become dictionaries, all or nothing.

``dictionary_import`` reads the rows as a stream and plans, validates and writes them a batch
of whole dictionaries at a time (about LEXICON_IMPORT_BATCH_ROWS rows), each batch through the
one write path (its rules by one ``COPY``), all in one transaction: memory holds a batch, never
the file. A dictionary whose rows hash to its stored content (same metadata and checks) is
skipped without building its rules. After the first error nothing more is written, but reading
goes on so that the report names every bad row (the first LEXICON_MAX_REPORT_ITEMS, the rest
counted), and then nothing is stored. Each changed dictionary gets one revision (source
``import``); all the changes are announced once, after commit.

A file whose dictionaries each sit on consecutive rows (as exports are) is read once. When a
dictionary comes back after another one, or the first check row comes after a dictionary was
planned as if the file had none, the work so far is rolled back and the file read twice: first
for where each dictionary's last row is, then again, each dictionary planned at its last row
(holding open only the dictionaries not finished yet).
"""

from collections.abc import Callable, Iterator
from dataclasses import replace

from django.conf import settings
from django.db import IntegrityError, transaction

from core.interpreter import bulk_work
from orgs.actors import UNKNOWN, Actor
from orgs.models import Organization
from pronunciations import checks, selectors
from pronunciations.content import current_wires
from pronunciations.errors import DictionaryConflict
from pronunciations.models import Dictionary
from pronunciations.store import Announcements, Write, remember_import_digests, store
from pronunciations.store_rows import in_background, rows_in_background, rules_template
from pronunciations.transfer.layout import (
    Layout,
    Restart,
    RowStream,
    dictionary_key,
    file_layout,
)
from pronunciations.transfer.parsing import Parsed
from pronunciations.transfer.planning import (
    Group,
    ImportMode,
    Options,
    Planned,
    entry_of,
    plan_group,
    validate,
)
from pronunciations.transfer.report import (
    ImportRejected,
    ImportReport,
    PlanEntry,
    Warnings,
    report_limit,
)
from pronunciations.transfer.rows import CHECK_MODE, RowError, SourceRow
from pronunciations.transfer.runs import ImportSettings, RecordRun, limits

__all__ = [
    "ImportMode",
    "ImportRejected",
    "ImportReport",
    "Warnings",
    "dictionary_import",
    "report_limit",
]

Progress = Callable[[str, int, int], None]


class _Import:
    """One pass over the file: groups, batches, and each batch planned and written."""

    def __init__(
        self,
        organization: Organization,
        options: Options,
        report: ImportReport,
        author: Actor,
        progress: Progress | None,
        *,
        skipping: bool = True,
    ) -> None:
        self.organization, self.options, self.report = organization, options, report
        self.author, self.progress, self.skipping = author, progress, skipping
        self.announced = Announcements()
        self.named: list[tuple[int, PlanEntry]] = []  # by first row: names listed in file order
        self.rows_read = self.groups_done = 0
        self.known: dict[str, tuple[str, str]] | None = None  # remembered digests, once read
        self.digests: list[tuple[Dictionary, str]] = []  # to remember once all is written
        self.run_now: RecordRun | None = None  # the whole run the rows now read come from
        self.limits = limits() if skipping else ()

    def run(self, stream: RowStream, layout: Layout | None) -> ImportReport:
        """Each batch looked up, then the batch before it written, then this one planned: its
        rule rows are sent in the background, so PostgreSQL writes them while the next batch
        is read and planned. A batch is written only if no error was found up to its end,
        and before anything the next batch raises (as if written at once)."""
        pending: list[Write] = []
        batches = self._batches(stream, layout)
        while True:
            try:
                batch = next(batches, None)
            except BaseException:  # a bad file or a restart: after what came before it
                self._write(pending)
                raise
            plans = self._lookup(batch) if batch is not None else []
            self._write(pending)
            if batch is None:
                break
            pending = self._plan(plans)
        report = self.report
        if report.errors:
            raise ImportRejected(report.rejected())
        for _, entry in sorted(self.named, key=lambda pair: pair[0]):
            report.name(entry)
        if not report.dry_run:
            if self.digests:
                remember_import_digests(self.digests)
            self.announced.send(self.organization.pk)
        return report

    def _batches(self, stream: RowStream, layout: Layout | None) -> Iterator[list[Group]]:
        batch: list[Group] = []
        size, limit = 0, settings.LEXICON_IMPORT_BATCH_ROWS
        for group in self._groups(stream, layout):
            batch.append(group)
            size += len(group.rows)
            if size >= limit:
                yield batch
                batch, size = [], 0
        if batch:
            yield batch

    def _groups(self, stream: RowStream, layout: Layout | None) -> Iterator[Group]:
        """Each dictionary's rows once all are read: at its last row when the layout is known,
        else when the next row names another dictionary (raising Restart if one comes back)."""
        open_groups: dict[str, Group] = {}
        finished: set[str] = set()
        name: str | None = None
        problems: tuple[str, ...]
        key, problems = "", ()
        for parsed in self._rows(stream, layout, open_groups, finished):
            if not isinstance(parsed, SourceRow):
                if isinstance(parsed, Group):  # a run unchanged by its digest
                    if layout is None:
                        yield from self._finish(open_groups, finished)
                    yield from self._finish({parsed.key: parsed}, finished)
                    continue
                self._errors(parsed)
                continue
            if parsed.dictionary != name:  # rows mostly come a dictionary at a time
                name = parsed.dictionary
                key, problems = dictionary_key(name)
            if problems:
                self._errors([RowError(parsed.number, "dictionary", p) for p in problems])
                continue
            if parsed.mode == CHECK_MODE and not self.options.has_checks:
                if self.groups_done:
                    raise Restart
                self.options = replace(self.options, has_checks=True)
                self.report.has_checks = True
            if layout is None and key not in open_groups:
                if key in finished:
                    raise Restart
                yield from self._finish(open_groups, finished)
            group = open_groups.get(key)
            if group is None:
                group = open_groups[key] = Group(key, parsed.dictionary, run=self.run_now)
            elif group.run is not self.run_now:  # rows of more than one run: no digest
                group.run = None
            group.add(parsed)
            if layout is not None and layout.last.get(key) == parsed.number:
                yield from self._finish({key: open_groups.pop(key)}, finished)
        yield from self._finish(open_groups, finished)

    def _rows(
        self,
        stream: RowStream,
        layout: Layout | None,
        open_groups: dict[str, Group],
        finished: set[str],
    ) -> Iterator[Parsed | Group]:
        """The stream's rows, each run of records parsed unless it is skipped: then its Group.
        Rows read counts every record of a run, blank lines too, whether skipped or not."""
        for item in stream():
            if not isinstance(item, RecordRun):
                self.run_now = None
                self.rows_read += 1
                yield item
                continue
            self.rows_read += len(item.records)
            skipped = self._skipped(item, layout, open_groups, finished)
            if skipped is not None:
                yield skipped
                continue
            self.run_now = item if item.whole else None
            yield from item.parse()

    def _skipped(
        self,
        run: RecordRun,
        layout: Layout | None,
        open_groups: dict[str, Group],
        finished: set[str],
    ) -> Group | None:
        """The run's dictionary, unchanged and unparsed, when the run holds all its rows and
        hashes to the digest remembered at its current revision (transfer.runs)."""
        if not run.whole or not self.skipping:
            return None
        key, problems = dictionary_key(run.cell)
        if problems or key in open_groups or key in finished:
            return None
        if layout is not None and layout.last.get(key, 0) >= run.first + len(run.records):
            return None  # more of its rows come later in the file
        if self.known is None:
            self.known = selectors.import_digests(organization=self.organization)
        name, digest = self.known.get(key, ("", ""))
        if not digest or digest != run.digest(self._settings()):
            return None
        return Group(key, name, skipped_at=run.first, digest=digest)

    def _settings(self) -> ImportSettings:
        options = self.options
        return ImportSettings(options.mode, options.has_metadata, options.has_checks, self.limits)

    def _finish(self, groups: dict[str, Group], finished: set[str]) -> Iterator[Group]:
        for key in list(groups):
            finished.add(key)
            self.groups_done += 1
            yield groups.pop(key)

    def _errors(self, errors: list[RowError]) -> None:
        self.report.errors += errors
        self.report.trim_errors()

    def _write(self, writes: list[Write]) -> None:
        if not writes:
            return
        try:
            store(writes, announced=self.announced)
        except IntegrityError as exc:  # a dictionary of the same name was created meanwhile
            names = [w.dictionary.name for w in writes if w.dictionary.pk is None]
            raise DictionaryConflict(", ".join(names) or "(import)") from exc

    def _lookup(self, batch: list[Group]) -> list[Planned]:
        """Each group's plan before validation, from what is stored (a group with an error
        has none): whether it is unchanged, and the stored rules of the others."""
        options = self.options
        self._confirm_skipped([group for group in batch if group.skipped_at])
        existing = self._existing([group for group in batch if not group.skipped_at])
        plans = []
        for group in batch:
            if group.skipped_at:
                plans.append(Planned(group, None, None, {}, {}, unchanged=True))
                continue
            self._errors(group.errors)
            found = existing.get(group.key)
            if found is None and not options.create_missing:
                message = f"no dictionary named {group.name!r} (set create_missing to create it)"
                self._errors([RowError(group.rows[0].number, "dictionary", message)])
                continue
            current = checks.current_checks(found) if found and options.has_checks else ()
            plans.append(plan_group(group, found, options, current))
        slow = [p.existing for p in plans if p.existing is not None and not p.unchanged]
        wires = current_wires(slow) if slow else {}
        for plan in plans:
            if not plan.unchanged and plan.existing is not None:
                plan.before = wires.get(plan.existing.pk, {})
        return plans

    def _plan(self, plans: list[Planned]) -> list[Write]:
        """Validate the batch's plans and list them in the report; the writes to make, unless
        an error was found so far (nothing will be stored) or this is a dry run."""
        report, mode = self.report, self.options.mode
        valid = []
        for plan in plans:
            if not plan.unchanged:
                self._errors(validate(plan, mode))
                if plan.clean is None:
                    continue
            valid.append(plan)
        writes = []
        for plan in valid:
            if report.errors:  # the import is refused: only look for more errors
                break
            entry, write = entry_of(self.organization, plan, self.author, self.options.comment)
            report.add(entry)
            self.named.append((plan.group.first_row, entry))
            if write is not None:
                writes.append(write)
            self._remember(plan, write)
        if self.progress is not None:
            self.progress("import", self.rows_read, self.rows_read)
        if report.errors or report.dry_run:
            return []
        if in_background():  # their rule rows, while the batch before is being sent
            for write in writes:
                write.rules_csv = rules_template(write.content.modes)
        return writes

    def _confirm_skipped(self, groups: list[Group]) -> None:
        """The skipped dictionaries still at the revision of their digest, locked as those
        written are (``_existing``), so none can change before this import commits; if one
        was written since the digests were read, the import starts again reading every row."""
        if not groups:
            return
        current = selectors.import_digests(
            organization=self.organization,
            names=[group.key for group in groups],
            lock=not self.report.dry_run,
        )
        if any(current.get(group.key, ("", ""))[1] != group.digest for group in groups):
            raise Restart(stale=True)

    def _remember(self, plan: Planned, write: Write | None) -> None:
        """The digest of the run a dictionary came from whole, remembered with its write, or
        for a dictionary left as it was, once all is written (transfer.runs)."""
        run, plan.group.run = plan.group.run, None
        if run is None or self.report.dry_run:
            return
        if write is not None:
            write.import_digest = run.digest(self._settings())
        elif plan.existing is not None:
            self.digests.append((plan.existing, run.digest(self._settings())))

    def _existing(self, batch: list[Group]) -> dict[str, Dictionary]:
        if not batch:
            return {}
        # With their checks, always: a changed dictionary's plan runs them on its new content.
        queryset = selectors.with_current_checks(
            selectors.dictionary_live(organization=self.organization).filter(
                normalized_name__in=[group.key for group in batch]
            )
        )
        if not self.report.dry_run:  # no one may change these between this read and the write
            queryset = queryset.select_for_update()
        return {d.normalized_name: d for d in queryset}


def dictionary_import(
    *,
    organization: Organization,
    rows: RowStream,
    mode: ImportMode = "merge",
    dry_run: bool = False,
    create_missing: bool = False,
    has_metadata: bool = False,
    author: Actor = UNKNOWN,
    comment: str = "",
    progress: Progress | None = None,
) -> ImportReport:
    """Import a stream of parsed rows into the organization, all or nothing; raises
    ImportRejected. Each revision it makes keeps ``comment``.

    A dry run returns the same report and writes nothing. ``has_metadata`` says the file had
    metadata columns: in ``replace`` mode they replace the metadata, without them it is kept.
    Checks likewise: a file with check rows sets the checks of the dictionaries it names
    (``replace``: exactly its own, ``merge``: added or updated by text); without any, each
    keeps its checks.
    """

    def attempt(layout: Layout | None, skipping: bool) -> ImportReport:
        has_checks = layout is not None and layout.has_checks
        options = Options(mode, create_missing, has_metadata, has_checks, comment)
        report = ImportReport(dry_run=dry_run, mode=mode, has_checks=has_checks)
        run = _Import(organization, options, report, author, progress, skipping=skipping)
        with transaction.atomic(), bulk_work(), rows_in_background():
            return run.run(rows, layout)

    layout: Layout | None = None
    skipping = True
    for _ in range(2):  # a restart turns skipping off or reads the layout, each at most once
        try:
            return attempt(layout, skipping)
        except Restart as restart:
            if restart.stale:
                skipping = False
            else:
                layout = file_layout(rows)
    return attempt(layout, skipping=False)
