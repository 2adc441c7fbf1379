"""What a person at the terminal sees while an audit runs: a progress bar over the workbooks.

The flow reports progress through `reading_progress`; under a scheduled deployment nobody is
watching and the hook does nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

Advance = Callable[[str], None]
_on_workbook: ContextVar[Callable[[int], Advance] | None] = ContextVar("on_workbook", default=None)


@contextmanager
def reading_progress(total: int) -> Iterator[Advance]:
    """Yield `advance(name)` to call once per workbook read."""
    factory = _on_workbook.get()
    yield factory(total) if factory else (lambda name: None)


@contextmanager
def progress_bar(enabled: bool = True) -> Iterator[None]:
    """Show a rich progress bar on stderr for every `reading_progress` inside this block."""
    if not enabled:
        yield
        return
    progress = Progress(
        TextColumn("读取工作簿"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        console=Console(stderr=True),
        transient=True,
    )

    def factory(total: int) -> Advance:
        task = progress.add_task("", total=total)
        return lambda name: progress.update(task, advance=1, description=name[-40:])

    token = _on_workbook.set(factory)
    try:
        with progress:
            yield
    finally:
        _on_workbook.reset(token)
