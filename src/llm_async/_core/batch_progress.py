"""The progress bar of a batch: tqdm on a terminal, nothing otherwise."""

from __future__ import annotations

import sys
from typing import Protocol

from llm_async._core.errors import ConfigError

__all__ = ["Progress", "open_progress"]

INSTALL = "pip install 'llm-async[progress]'"


class _Bar(Protocol):
    """The part of a tqdm bar that ``Progress`` uses."""

    def update(self, n: int) -> object: ...
    def set_postfix(self, *, failed: int, refresh: bool) -> object: ...
    def close(self) -> object: ...


class Progress:
    """Counts finished items (and failures) on a tqdm bar, or silently."""

    def __init__(self, bar: _Bar | None = None) -> None:
        self.bar = bar
        self.failed = 0

    def update(self, ok: bool) -> None:
        """One more item finished."""
        if not ok:
            self.failed += 1
        if self.bar is not None:
            if not ok:
                self.bar.set_postfix(failed=self.failed, refresh=False)
            self.bar.update(1)

    def close(self) -> None:
        """Remove the bar from the screen's last line."""
        if self.bar is not None:
            self.bar.close()


def open_progress(total: int, done: int, enabled: bool | None) -> Progress:
    """A progress bar for ``total`` items, ``done`` of them already finished.

    ``enabled=None`` shows one only when stderr is a terminal and tqdm is
    installed; ``True`` always shows one (``ConfigError`` without tqdm);
    ``False`` never does.
    """
    if enabled is False:
        return Progress()
    try:
        from tqdm.auto import tqdm  # type: ignore[import-untyped,unused-ignore]
    except ModuleNotFoundError:
        if enabled:
            raise ConfigError(
                f"progress=True needs tqdm, which is not installed: {INSTALL}"
            ) from None
        return Progress()
    stream = sys.stderr
    if enabled is None and not (hasattr(stream, "isatty") and stream.isatty()):
        return Progress()
    bar = tqdm(
        total=total, initial=done, unit="prompt", file=stream, dynamic_ncols=True
    )
    return Progress(bar)
