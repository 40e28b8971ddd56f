"""The ``riskgraph`` command line: thin verbs over the Python API.

Data goes to stdout, diagnostics to stderr. Exit codes: 0 ok, 1 findings or
validation errors, 2 usage errors (missing file, bad option). Users never see
a traceback: errors of ours become one line.

One module per group of commands: ``chain`` (validate, info, generate,
demo), ``risk`` (matrix, explain, priorities), ``hotspots``, ``reports`` (report, diff,
secretariat, eudr, statement), ``minerals``, ``imports`` (import, match),
``reference`` (reference show), ``forest``, ``plots`` (plots check) and ``db``; ``_common`` holds the
group and the shared options.
"""
from __future__ import annotations

import sys

import click

from riskgraph.cli._common import CONTEXT, RiskGraphGroup, chain_path, cli, output_options, quiet_option
from riskgraph.cli.chain import demo, generate, info, validate
from riskgraph.cli.db import db
from riskgraph.cli.forest import forest
from riskgraph.cli.hotspots import hotspots
from riskgraph.cli.imports import import_group, match
from riskgraph.cli.minerals import minerals
from riskgraph.cli.plots import plots
from riskgraph.cli.reference import reference
from riskgraph.cli.reports import diff, eudr, report, secretariat, statement
from riskgraph.cli.risk import explain, matrix, priorities
from riskgraph.errors import ChainError, InputError, RiskGraphError
from riskgraph.output import stderr

for _command in (validate, info, generate, matrix, explain, priorities, hotspots, plots, report, diff, eudr,
                 statement, minerals, secretariat, import_group, match, reference, forest, db, demo):
    cli.add_command(_command)

__all__ = ["CONTEXT", "RiskGraphGroup", "chain_path", "cli", "main", "output_options", "quiet_option"]


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI and turn our errors into one line and an exit code."""
    try:
        cli.main(args=argv, prog_name="riskgraph", standalone_mode=False)
    except click.exceptions.Abort:
        stderr("Aborted.")
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except InputError as exc:
        stderr(f"Error: {exc}")
        sys.exit(2)
    except ChainError as exc:
        stderr(f"Error: {exc}")
        sys.exit(1)
    except RiskGraphError as exc:
        stderr(f"Error: {exc}")
        sys.exit(1)
    except KeyboardInterrupt:
        stderr("Interrupted.")
        sys.exit(130)
    except SystemExit:
        raise
    except BrokenPipeError:
        sys.exit(0)
