"""Progress on stderr while a command works: one bar over the named steps of the job.

A 100 000-actor chain takes tens of seconds to read, assess, search for
hotspots and report; without a sign of life a user presses Ctrl-C. Every
long command runs its steps through :func:`progress_steps`: a rich progress
bar on stderr naming the step under way, the elapsed time, and nothing at
all with ``-q`` or when stderr is not a terminal (pipes and logs stay clean).
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, Iterator


@contextmanager
def progress_steps(steps: list[str] | tuple[str, ...], *, quiet: bool = False, title: str = "",
                   force: bool = False) -> Iterator[Callable[[str], None]]:
    """Yield ``step(name)``: call it as each step starts; the bar advances by one per call.

    Parameters
    ----------
    steps : list of str
        The steps expected, in order (their number sizes the bar; a name not
        in the list still advances it).
    quiet : bool
        Show nothing (``-q``).
    title : str
        Shown before the step's name.
    force : bool
        Show the bar even when stderr is not a terminal (tests, screenshots).

    Examples
    --------
    >>> with progress_steps(["read", "assess"], quiet=True) as step:
    ...     step("read")
    ...     step("assess")
    """
    if quiet:
        yield lambda name: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    if not (console.is_terminal or force):
        yield lambda name: None
        return
    bar = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/"
                   "{task.total}"), TimeElapsedColumn(), console=console, transient=True)
    prefix = f"{title}: " if title else ""

    def said(name: str) -> str:  # the step in the command's language ("demo: food: reading" keeps its chain name)
        from riskgraph.formatting import term_label

        head, sep, what = name.rpartition(": ")
        return head + sep + term_label("step", what)

    with bar:
        task = bar.add_task(prefix + (said(steps[0]) if steps else ""), total=max(len(steps), 1))
        started = [False]

        def step(name: str) -> None:
            if started[0]:
                bar.advance(task)
            started[0] = True
            bar.update(task, description=prefix + said(name))

        yield step
        bar.update(task, completed=max(len(steps), 1))
