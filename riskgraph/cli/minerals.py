"""The ``riskgraph minerals`` command: a thin shell over :func:`riskgraph.regulation.minerals.conflict_minerals`.

Register it on the command group with ``cli.add_command(minerals)``.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from riskgraph.errors import InputError
from riskgraph.output import emit_table, excel_writer, print_json, stderr, to_jsonable, write_frame
from riskgraph.cli._common import CONTEXT, raw_csv_option

OUT_SUFFIXES = (".json", ".xlsx", ".csv", ".parquet")
FLAG_TABLE = ["node", "metal", "reason", "origin_country", "via", "refiner", "status", "share", "path", "article"]
IMPORTER_TABLE = ["node", "country", "importer", "annex_i_imported_kg", "reason"]
STEP_TABLE = ["node", "step", "name", "article", "status", "finding"]
REFINER_TABLE = ["actor", "name", "metal", "country", "source", "smelter_id", "rmi_name", "match", "score", "status"]
THRESHOLD_TABLE = ["node", "metal", "year", "form", "cn_code", "imported_kg", "threshold_kg", "position", "confirmed"]
existing_file = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.command("minerals", context_settings=CONTEXT)
@raw_csv_option
@click.argument("path", type=click.Path(exists=True, path_type=Path), metavar="PATH", required=False)
@click.option("--cmrt", "cmrts", type=existing_file, multiple=True,
              help="A supplier's CMRT (.xlsx); repeat the option for several.")
@click.option("--rmi", type=existing_file, default=None,
              help="The RMI smelter/refiner list (CSV, or a CMRT whose 'Smelter Look-up' sheet is read).")
@click.option("--conformant", type=existing_file, default=None,
              help="Smelters' conformance: a CSV with columns CID, status, date.")
@click.option("--accept", "accept", multiple=True, default=("conformant",), show_default=True,
              help="A conformant-list status that counts as conformant; repeat for several (e.g. --accept active).")
@click.option("--node", "nodes", multiple=True,
              help="The company actor to examine; repeat for several. Default: every chain end.")
@click.option("--year", type=int, default=None, help="Use only the flows of this year.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True,
              help="table: flags, refiners, thresholds; csv: the flags; json: everything in one object.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to a file instead: .json (everything), .xlsx (a sheet per table), .csv or .parquet "
                   "(the flags).")
@click.option("-q", "--quiet", is_flag=True, help="No notes on stderr.")
@click.option("--rules", "show_rules", is_flag=True,
              help="Print the rules of Regulation (EU) 2017/821 applied, with their articles, and exit.")
def minerals(path: Path | None, cmrts: tuple[Path, ...], rmi: Path | None, conformant: Path | None,
             accept: tuple[str, ...], nodes: tuple[str, ...], year: int | None, fmt: str, out: Path | None,
             quiet: bool, show_rules: bool) -> None:
    """EU conflict minerals (Regulation (EU) 2017/821): 3TG from CAHRAs or through unidentified refiners.

    Maps the chain's refiners and smelters (and those of suppliers' CMRTs)
    to the RMI list by CID, else by name and alias with a score. Flags gold,
    tin, tantalum and tungsten that reaches a company node from a country on
    the EU CAHRA list without passing a conformant refiner, or through an
    unidentified or non-conformant refiner, with the heaviest path that
    carries it and the share of the company's material it is; red flags on
    transit through a CAHRA or a known transit hub. Says whether each node
    is a Union importer (in the EU, importing Annex I material from outside
    it) and compares its imported kg per year with the Annex I row of the
    material's form (ore, unrefined gold < 99.5 %, refined metal); then the
    OECD five steps with what the data show. Every flag cites its article
    (riskgraph minerals --rules).

    Without --conformant no refiner is known to be conformant: no refiner is
    flagged for its status, and every CAHRA origin is flagged.

    Exit status: 0 when nothing was flagged; 1 when at least one flag was
    raised (the results are printed either way); 2 for bad options or
    unreadable files.

    \b
    Examples:
      riskgraph minerals --rules
      riskgraph minerals datasets/gold --node GLD-RTL-NL-23 --year 2024
      riskgraph minerals my_chain/ --rmi rmi_list.csv --conformant rmap.csv \\
          --cmrt supplier_cmrt.xlsx --format json > minerals.json
    """
    if show_rules:
        from riskgraph.regulation.common import rules

        table = rules("minerals")
        emit_table(table if fmt != "table" else table[["rule_id", "article", "severity", "summary"]],
                   title=f"EU conflict minerals rules ({len(table)}); full text and sources: --format csv", fmt=fmt)
        return
    if path is None:
        raise InputError("give a chain PATH (or --rules to print the rules)")
    from riskgraph.chain.io import read_chain
    from riskgraph.regulation.minerals import conflict_minerals

    if out is not None and out.suffix.lower() not in OUT_SUFFIXES:
        raise InputError(f"--out must end in {', '.join(OUT_SUFFIXES)}, not '{out.suffix or out.name}'")
    chain = read_chain(path)
    node_ids = list(nodes) or None
    if node_ids:
        unknown = sorted(set(node_ids) - set(chain.actors["id"]))
        if unknown:
            raise InputError(f"--node {', '.join(repr(n) for n in unknown)} is not an actor id of {path}")
    report = conflict_minerals(chain, node=node_ids, cmrts=cmrts, rmi=rmi, conformant=conformant, accept=accept,
                               year=year)
    if out is not None:
        _write(report, out)
        if not quiet:
            stderr(f"Wrote {out} ({len(report.flags)} flags)")
    elif fmt == "json":
        print_json(report.to_dict())
    elif fmt == "csv":
        emit_table(report.flags, fmt="csv")
    else:
        _print_tables(report)
    if not quiet:
        for note in report.notes:
            stderr(f"Note: {note}")
    sys.exit(1 if report.flagged else 0)


def _write(report, out: Path) -> None:
    suffix = out.suffix.lower()
    if suffix == ".json":
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(to_jsonable(report.to_dict()), ensure_ascii=False, indent=2) + "\n",
                       encoding="utf-8")
    elif suffix == ".xlsx":
        import pandas as pd

        out.parent.mkdir(parents=True, exist_ok=True)
        with excel_writer(out) as writer:
            for sheet, frame in (("importers", report.importers), ("flags", report.flags),
                                 ("refiners", report.refiners), ("thresholds", report.thresholds),
                                 ("steps", report.steps)):
                frame.to_excel(writer, sheet_name=sheet, index=False)
    else:
        write_frame(report.flags, out, sheet="flags")


def _print_tables(report) -> None:
    if len(report.importers):
        emit_table(report.importers[IMPORTER_TABLE], title="Union importers (Art. 2): an actor in the EU importing "
                   "Annex I material from outside the EU")
    if len(report.flags):
        emit_table(report.flags[FLAG_TABLE],
                   title=f"Flags ({len(report.flags)}; share = share of the node's material of that metal)")
    else:
        stderr("No flags.")
    if len(report.refiners):
        emit_table(report.refiners[REFINER_TABLE], title=f"Refiners and smelters ({len(report.refiners)})")
    if len(report.thresholds):
        emit_table(report.thresholds[THRESHOLD_TABLE],
                   title="Annex I volume thresholds (Art. 1(3)): imported kg per year and row; 'above' = at or above, "
                         "'unknown' = threshold not read in a source")
    if len(report.steps):
        emit_table(report.steps[STEP_TABLE], title="OECD five steps (Art. 4-7): what the data show")


__all__ = ["minerals"]
