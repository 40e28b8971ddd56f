"""What every command shares: the group, its error handling, common options.

Nothing here (or in the command modules' top levels) imports pandas, scipy,
scikit-learn or a database driver: ``riskgraph --help`` and ``--version``
start in a fraction of the time of ``import pandas``; a command loads what
it needs when it runs.
"""
from __future__ import annotations

import difflib
from pathlib import Path
from typing import Iterable

import click

from riskgraph import __version__, _vocabulary
from riskgraph.errors import InputError, RiskGraphError, StoreError

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

#: Option choices, read from the vocabularies without pandas.
SECTORS: tuple[str, ...] = _vocabulary.sectors()
THEMES: tuple[str, ...] = _vocabulary.themes()

chain_path = click.argument("path", type=click.Path(exists=True, path_type=Path), metavar="PATH")


def _set_raw_csv(ctx, param, value):
    from riskgraph.output import set_raw_csv

    set_raw_csv(value)
    return value


#: ``--raw-csv``: the escape hatch of every command that writes CSV (see riskgraph.output.neutralise_cell).
raw_csv_option = click.option(
    "--raw-csv", is_flag=True, expose_value=False, callback=_set_raw_csv,
    help="Write CSV cells exactly as they are. By default text starting with = + - @ TAB or CR gets a "
         "leading ' so that spreadsheet programs do not run it as a formula (OWASP CSV injection).",
)


def read_chain(path, **options):
    """:func:`riskgraph.chain.io.read_chain`, imported when a command first reads a chain."""
    from riskgraph.chain.io import read_chain as read

    return read(path, **options)


def unknown_value(option: str, value: str, choices, what: str) -> InputError:
    """The error for an id or name that is not there: ``--node 'X' is not an actor id of P. Did you mean 'Y'?``"""
    hint = suggest(value, choices)
    return InputError(f"{option} '{value}' is not {what}" + (f"; {hint}" if hint else ""))


class SuggestingChoice(click.Choice):
    """A click choice whose error names the closest choice (``--theme chld_labour`` → "did you mean 'child_labour'")."""

    def convert(self, value, param, ctx):
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter as exc:
            hint = suggest(value, self.choices)
            if hint:
                exc.message = f"{exc.message} — {hint}"
            raise


def _set_language(ctx: click.Context, param: click.Parameter, value: str | None) -> str:
    from riskgraph.formatting import resolve_lang, use_language

    lang = resolve_lang(value)
    if value is not None:  # without --lang the language stays unset: commands run outside the group leave none behind
        use_language(lang)
    return lang


def lang_option(help: str = "Language of the output."):
    """``--lang en|nl``: one default for every command, English unless RISKGRAPH_LANG says otherwise."""

    def decorate(command):
        return click.option("--lang", type=click.Choice(_vocabulary.LANGUAGES), default=None,
                            callback=_set_language, envvar="RISKGRAPH_LANG", show_envvar=True,
                            help=f"{help} [default: en]")(command)

    return decorate


def output_options(formats=("table", "csv", "json")):
    """The shared ``--format`` / ``--out`` options of every read command (and ``--raw-csv``)."""

    def decorate(command):
        command = raw_csv_option(command)
        command = click.option(
            "--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=None,
            help="Write the result to this file; the format follows the extension (.csv, .parquet, .xlsx, .json).",
        )(command)
        return click.option(
            "--format", "fmt", type=click.Choice(formats), default="table", show_default=True,
            help="How to print the result on stdout.",
        )(command)

    return decorate


def suggest(value: str, choices: Iterable[object], *, n: int = 3, cutoff: float = 0.6) -> str:
    """``"did you mean 'a' or 'b'?"`` for the choices closest to ``value``, or ``""`` when none is close.

    Choices that start with the value come first (``mine`` → ``mine_asm``,
    ``mine_lsm``), then :func:`difflib.get_close_matches` (case-insensitive).

    >>> suggest("mine", ["mine_asm", "mine_lsm", "refiner"])
    "did you mean 'mine_asm' or 'mine_lsm'?"
    >>> suggest("refinr", ["mine_asm", "refiner"]), suggest("xyz", ["refiner"])
    ("did you mean 'refiner'?", '')
    """
    names = list(dict.fromkeys(str(c) for c in choices if c is not None and str(c) != ""))
    text = str(value).strip().lower()
    by_lower = {}
    for name in names:
        by_lower.setdefault(name.lower(), name)
    found = [name for name in names if text and name.lower().startswith(text) and name.lower() != text]
    found += [by_lower[m] for m in difflib.get_close_matches(text, list(by_lower), n=n, cutoff=cutoff)]
    found = list(dict.fromkeys(found))[:n]
    if not found:
        return ""
    quoted = [f"'{f}'" for f in found]
    return "did you mean " + (quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]) + "?"


#: Extensions that name a file: an --out that wants a folder and gets one of these is a mistake, not a folder name.
FILE_SUFFIXES = (".xlsx", ".xls", ".xlsm", ".csv", ".tsv", ".json", ".geojson", ".html", ".htm", ".parquet",
                 ".txt", ".zip", ".pdf", ".kml", ".xml")


def check_folder_out(out: Path, *, option: str = "--out", files: tuple[str, ...] = (), what: str = "a folder") -> None:
    """Refuse an output folder named like a file (``--out eudr.xlsx`` would make a folder called ``eudr.xlsx``).

    ``files`` lists the suffixes the command does accept as files (e.g. ``.xlsx`` for a chain workbook).
    Raises :class:`InputError` (exit 2) naming what the option expects.
    """
    suffix = Path(out).suffix.lower()
    if suffix in FILE_SUFFIXES and suffix not in files:
        accepted = f" or a {', '.join(files)} file" if files else ""
        raise InputError(f"{option} expects {what}{accepted}, not a '{suffix}' file name; e.g. {option} "
                         f"{Path(out).with_suffix('')}/", path=out)
    if Path(out).is_file() and suffix not in files:
        raise InputError(f"{option} expects {what}, but a file with that name exists", path=out)


def quiet_option(command):
    return click.option("-q", "--quiet", is_flag=True, help="No progress bars or notes on stderr.")(command)


class _Failure(click.ClickException):
    """One of our errors as click reports it: ``Error: …`` on stderr and an exit code."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class RiskGraphGroup(click.Group):
    """The command group: turns riskgraph's errors into one line and an exit code.

    Usage and input errors (a missing file, a bad option value, a store that
    cannot be reached) exit with 2; errors in the chain itself (a closed
    material loop) with 1. Done here rather than in ``main`` so that every way
    of invoking the commands (console script, ``CliRunner``) behaves alike.
    """

    def invoke(self, ctx: click.Context):
        from riskgraph.output import set_raw_csv

        set_raw_csv(False)  # safe CSV unless this command is given --raw-csv

        from riskgraph.formatting import _LANG

        token = _LANG.set(None)  # --lang holds for this command only (CliRunner runs many in one process)
        try:
            return super().invoke(ctx)
        except (InputError, StoreError) as exc:
            raise _Failure(str(exc), 2) from None
        except RiskGraphError as exc:
            raise _Failure(str(exc), 1) from None
        finally:
            set_raw_csv(False)  # the escape hatch ends with the command (notebooks, tests)
            _LANG.reset(token)


@click.group(cls=RiskGraphGroup, context_settings=CONTEXT)
@click.version_option(__version__, "--version", prog_name="riskgraph")
def cli() -> None:
    """riskgraph: supply-chain due diligence as graphs.

    Read a chain (a folder with actors.csv and flows.csv, or an Excel
    workbook), validate it, and compute where the risks of child labour,
    forced labour, deforestation and more sit along the chain.

    \b
    Examples:
      riskgraph demo
      riskgraph validate my_chain/ --quarantine rejected.xlsx
      riskgraph info my_chain.xlsx --format json
    """
