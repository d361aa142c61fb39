"""A progress bar on standard error, drawn only when it is a terminal (no dependency).

    with Bar(total=10, desc="epoch 1/5", unit="batch") as bar:
        for batch in batches:
            ...
            bar.update(1, loss=0.123)

draws one line, redrawn at most every ``min_interval`` seconds::

    epoch 1/5  40% |########            | 4/10 batch [00:03<00:05, 1.21 batch/s] loss 0.123

The remaining time is the elapsed time over the done fraction: ETA = elapsed * (total -
done) / done. ``Bar.write`` prints a line (to standard output by default) above the bar.
A bar that is not shown (``show=False``, or standard error is not a terminal) writes
nothing at all, so piped output and tests stay clean; ``neuralab``'s ``--quiet`` is
``show=False``.
"""

from __future__ import annotations

import shutil
import sys
import time
from typing import Any, TextIO

__all__ = ["Bar", "format_seconds", "shown"]


def shown(show: bool | None = None) -> bool:
    """Whether to draw progress: ``show`` when given, else whether standard error is a
    terminal."""
    if show is not None:
        return bool(show)
    isatty = getattr(sys.stderr, "isatty", None)
    return bool(isatty and isatty())


def format_seconds(seconds: float) -> str:
    """``seconds`` as MM:SS, or H:MM:SS from an hour on (``--:--`` when unknown)."""
    if not seconds >= 0 or seconds == float("inf"):
        return "--:--"
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


class Bar:
    """A progress bar of ``total`` steps (None: unknown, a count is shown instead).

    Args:
        total: the number of steps, or None when unknown.
        desc: the text before the bar (default: none).
        unit: what a step is, e.g. ``"batch"`` or ``"job"`` (default: ``"it"``).
        show: draw it (default None: when standard error is a terminal).
        stream: where to draw (default: ``sys.stderr`` at each draw).
        min_interval: seconds between redraws (default: 0.1); the last one is always drawn.
        scale: steps per shown unit, e.g. ``2**20`` to count bytes and show MiB (default: 1).

    Examples:
        >>> import io
        >>> out = io.StringIO()
        >>> with Bar(total=4, desc="demo", show=True, stream=out, min_interval=0) as bar:
        ...     bar.update(2, loss=0.5)
        >>> "demo  50%" in out.getvalue() and "2/4" in out.getvalue()
        True
        >>> Bar(total=4, show=False).update(1)  # not shown: draws nothing
    """

    def __init__(
        self,
        total: int | None,
        desc: str = "",
        unit: str = "it",
        show: bool | None = None,
        stream: TextIO | None = None,
        min_interval: float = 0.1,
        scale: float = 1,
    ) -> None:
        self.total, self.desc, self.unit, self.scale = total, desc, unit, scale
        self.show = shown(show)
        self.stream, self.min_interval = stream, min_interval
        self.done, self.postfix = 0, ""
        self.started = time.perf_counter()
        self._drawn_at = -float("inf")
        self._width = 0  # characters of the line drawn last (0: none on screen)

    def __enter__(self) -> Bar:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def _out(self) -> TextIO:
        return self.stream if self.stream is not None else sys.stderr

    def update(self, n: int = 1, **postfix: Any) -> None:
        """Advance by ``n`` steps; ``postfix`` values (e.g. ``loss=0.12``) follow the bar."""
        self.done += n
        if postfix:
            self.postfix = " ".join(
                f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}" for k, v in postfix.items()
            )
        now = time.perf_counter()
        last = self.total is not None and self.done >= self.total
        if self.show and (last or now - self._drawn_at >= self.min_interval):
            self._drawn_at = now
            self._draw(self.line(now - self.started))

    def line(self, elapsed: float) -> str:
        """The bar's text after ``elapsed`` seconds."""
        rate = self.done / self.scale / elapsed if elapsed > 0 else 0.0
        if rate >= 1 or rate == 0:
            speed = f"{rate:.0f} {self.unit}/s" if rate >= 100 else f"{rate:.3g} {self.unit}/s"
        else:
            speed = f"{1 / rate:.3g} s/{self.unit}"
        head = f"{self.desc} " if self.desc else ""
        tail = f" {self.postfix}" if self.postfix else ""
        done = self._amount(self.done)
        if not self.total:
            return f"{head}{done} {self.unit} [{format_seconds(elapsed)}, {speed}]{tail}"
        fraction = min(self.done / self.total, 1.0)
        left = elapsed * (self.total - self.done) / self.done if self.done else float("inf")
        cells = 20
        filled = int(fraction * cells)
        return (
            f"{head}{fraction:4.0%} |{'#' * filled}{' ' * (cells - filled)}| "
            f"{done}/{self._amount(self.total)} {self.unit} "
            f"[{format_seconds(elapsed)}<{format_seconds(left)}, {speed}]{tail}"
        )

    def _amount(self, steps: float) -> str:
        return str(steps) if self.scale == 1 else f"{steps / self.scale:.1f}"

    def _draw(self, text: str) -> None:
        columns = shutil.get_terminal_size((100, 20)).columns
        text = text[: max(columns - 1, 10)]
        out = self._out()
        out.write("\r" + text + " " * max(self._width - len(text), 0))
        out.flush()
        self._width = len(text)

    def _clear(self) -> None:
        if self._width:
            out = self._out()
            out.write("\r" + " " * self._width + "\r")
            out.flush()
            self._width = 0

    def write(self, line: str, file: TextIO | None = None) -> None:
        """Print ``line`` (to ``file``, default standard output) above the bar, then draw
        the bar again."""
        self._clear()
        print(line, file=file if file is not None else sys.stdout, flush=True)
        self.redraw()

    def redraw(self) -> None:
        """Draw the bar again (after other output), once it has advanced."""
        if self.show and self.done:
            self._draw(self.line(time.perf_counter() - self.started))

    def close(self) -> None:
        """Remove the bar from the screen."""
        self._clear()
