"""A small progress bar for management commands, drawn on standard error."""

from collections.abc import Callable


class ProgressBar:
    """Draws ``[#####.....]  50% label 200/400`` in place; ``done()`` ends the line."""

    def __init__(self, write: Callable[[str], object], width: int = 30) -> None:
        self.write, self.width, self.drawn = write, width, False

    def __call__(self, label: str, done: int, total: int) -> None:
        filled = self.width * done // total if total else self.width
        percent = 100 * done // total if total else 100
        bar = "#" * filled + "." * (self.width - filled)
        self.write(f"\r[{bar}] {percent:3d}% {label} {done}/{total}\x1b[K")
        self.drawn = True

    def done(self) -> None:
        if self.drawn:
            self.write("\n")
            self.drawn = False
