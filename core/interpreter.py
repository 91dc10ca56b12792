"""The interpreter's settings while bulk work runs (an import of many rules).

Both are process-wide, so they are held by a count: threads of one process whose bulk work
overlaps share them, and the last one to finish restores what was there before.

- **The cyclic garbage collector** runs its first generation every 700 new container objects
  by default, and the older ones in turn: an import allocates rows, dictionaries and rules by
  the hundred thousand, nearly all freed by reference counting, and spent about a sixth of its
  time in collections (100,000 rules: 2.35 s, 1.95 s with the threshold below;
  bench/transfer.py). Cycles are still collected, every 10,000 new objects: the garbage an
  import leaves between collections stays small and does not grow with the file
  (tests/pronunciations/test_import_streaming.py).
- **The switch interval.** A batch's rows are sent by a worker thread while the import plans
  the next one (pronunciations.store_rows); at the default 5 ms that thread, which needs the
  interpreter's lock for a moment between each 128 KiB psycopg hands to libpq, waited up to
  5 ms for it each time, and sending 100,000 rules took 1.1 s of a 3.2 s import instead of
  overlapping with it. At 1 ms the import gives the lock up sooner.
"""

import gc
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

GC_THRESHOLD_0 = 10_000
SWITCH_INTERVAL = 0.001


class _Held:
    """How many hold the settings, and what was there before the first."""

    count = 0
    switch = 0.0
    threshold: tuple[int, ...] = ()


_held = _Held()
_lock = threading.Lock()


@contextmanager
def bulk_work() -> Iterator[None]:
    """GC_THRESHOLD_0 and SWITCH_INTERVAL (never looser than the settings found) while it runs."""
    with _lock:
        if _held.count == 0:
            _held.switch, _held.threshold = sys.getswitchinterval(), gc.get_threshold()
            first, *older = _held.threshold
            sys.setswitchinterval(min(SWITCH_INTERVAL, _held.switch))
            gc.set_threshold(max(GC_THRESHOLD_0, first), *older)
        _held.count += 1
    try:
        yield
    finally:
        with _lock:
            _held.count -= 1
            if _held.count == 0:
                sys.setswitchinterval(_held.switch)
                gc.set_threshold(*_held.threshold)
