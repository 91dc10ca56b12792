"""core.interpreter: bulk work tightens the switch interval and loosens the collector's first
threshold while any holder runs, and restores both after the last, whatever raised."""

import gc
import sys
import threading

import pytest

from core.interpreter import GC_THRESHOLD_0, SWITCH_INTERVAL, bulk_work


def test_settings_hold_while_any_holder_runs_and_come_back_after_the_last() -> None:
    switch, threshold = sys.getswitchinterval(), gc.get_threshold()
    inside = threading.Event()
    release = threading.Event()

    def other() -> None:
        with bulk_work():
            inside.set()
            release.wait(10)

    def failing_import() -> None:
        with bulk_work():
            assert sys.getswitchinterval() == min(SWITCH_INTERVAL, switch)
            assert gc.get_threshold() == (max(GC_THRESHOLD_0, threshold[0]), *threshold[1:])
            thread.start()
            inside.wait(10)
            raise RuntimeError("the import failed")

    thread = threading.Thread(target=other)
    with pytest.raises(RuntimeError, match="the import failed"):
        failing_import()
    assert sys.getswitchinterval() == min(SWITCH_INTERVAL, switch)  # the other still holds
    release.set()
    thread.join(10)

    assert (sys.getswitchinterval(), gc.get_threshold()) == (switch, threshold)
