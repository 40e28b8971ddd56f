"""``riskgraph db …``: thin over :mod:`riskgraph.store`.

The database drivers load only when a db command runs (imports inside the
commands). A store that cannot be reached, or refuses the credentials, is a
one-line error and exit 2.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from riskgraph.cli._common import (CONTEXT, THEMES, chain_path, output_options, quiet_option, raw_csv_option,
                                   read_chain)
from riskgraph.errors import InputError
from riskgraph.output import emit_table, stderr

if TYPE_CHECKING:
    import pandas as pd

class _StoreProblem(click.ClickException):
    """A StoreError or InputError of a db command: ``Error: …`` and exit 2."""

    exit_code = 2


class _StoreBusy(click.ClickException):
    """Another push holds the store: ``Error: …`` and exit 1."""

    exit_code = 1


class _StoreCommands(click.Group):
    def invoke(self, ctx: click.Context):
        import logging

        from riskgraph.errors import StoreError
        from riskgraph.store._lock import StoreBusy

        # The Neo4j driver logs each failed routing attempt ("Unable to retrieve routing
        # information", once per retry); the store reports the failure once, with a hint.
        logging.getLogger("neo4j").addHandler(logging.NullHandler())
        logging.getLogger("neo4j").propagate = False

        try:
            return super().invoke(ctx)
        except StoreBusy as exc:  # another push is writing: not a usage error, try again later
            raise _StoreBusy(str(exc)) from None
        except (StoreError, InputError) as exc:
            raise _StoreProblem(str(exc)) from None


def _store_options(command):
    """``--uri``, ``--user``, ``--password``, ``--database`` of every db command."""
    command = click.option("--database", default=None, metavar="NAME",
                           help="Neo4j database, or FalkorDB graph (overrides the URI's). [env: NEO4J_DATABASE]")(command)
    command = click.option("--password", default=None, metavar="TEXT",
                           help="Password. [env: NEO4J_PASSWORD, FALKORDB_PASSWORD]")(command)
    command = click.option("--user", default=None, metavar="NAME",
                           help="User name. [env: NEO4J_USER, FALKORDB_USER]")(command)
    return click.option("--uri", envvar="NEO4J_URI", show_envvar=True, required=True, metavar="URI",
                        help="neo4j://, neo4j+s://, bolt://, bolt+s:// or falkordb://host:port/graph.")(command)


def _open_store(uri: str, user: str | None, password: str | None, database: str | None):
    from riskgraph.store import open_store

    return open_store(uri, user=user, password=password, database=database)


def _emit_frame(frame: pd.DataFrame, fmt: str, out: Path | None, title: str) -> None:
    from riskgraph.output import write_frame

    if out is not None:
        write_frame(frame, out)
        stderr(f"Wrote {out}")
    else:
        emit_table(frame, title=title, fmt=fmt)


def _noting_depth(compute):
    """Run ``compute()``; a DepthWarning (the sum stopped at --max-depth) becomes a note on stderr."""
    import warnings

    from riskgraph.store import DepthWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DepthWarning)
        result = compute()
    for warning in caught:
        if issubclass(warning.category, DepthWarning):
            stderr(f"Note: {warning.message}")
        else:
            warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
    return result


def _query_params(file, pairs: tuple[str, ...]) -> dict:
    """``KEY=VALUE`` texts → parameters, typed as the query's header declares them.

    A file that declares no parameters gets JSON values where the text is
    JSON (``3``, ``true``, ``["a"]``) and the text itself otherwise.
    """
    values = {}
    for pair in pairs:
        key, sep, text = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise InputError(f"--param must look like KEY=VALUE, not {pair!r}")
        if key in file.params:
            values[key] = file.params[key].parse(text)
        elif file.params:
            raise InputError(f"{file.name} has no parameter '{key}'; its parameters: {file.signature()}")
        else:
            try:
                values[key] = json.loads(text)
            except ValueError:
                values[key] = text
    return values


@click.group("db", cls=_StoreCommands, context_settings=CONTEXT)
def db() -> None:
    """Keep chains in a graph store (Neo4j or FalkorDB) and query them there.

    Push a chain, pull it back, run the bundled Cypher queries (or your own
    .cypher file) and compute a node's chain-location matrix inside the
    database. The URI chooses the store: neo4j:// bolt:// (+s for TLS) or
    falkordb://host:port/graph.

    \b
    Examples:
      riskgraph db push datasets/gold --uri neo4j://localhost:7687 --with-risk
      riskgraph db matrix --uri neo4j://localhost:7687 --node jeweller_nl --theme child_labour
      riskgraph db query --uri falkordb://localhost:6379/gold upstream --param node=refiner_ch
    """


@db.command("push", context_settings=CONTEXT)
@chain_path
@_store_options
@click.option("--batch-size", type=click.IntRange(min=1), default=10_000, show_default=True,
              help="Rows per statement.")
@click.option("--with-risk", is_flag=True,
              help="Also assess the chain and store each actor's inherent risk (needed by 'db matrix').")
@click.option("--replace", is_flag=True,
              help="Make the store hold exactly this chain: loaded beside the stored graph and swapped in at the "
                   "end, so an interrupted push leaves the stored graph as it was.")
@click.option("--wait", type=click.FloatRange(min=0), default=0, show_default=True, metavar="SECONDS",
              help="Wait this long while another push writes the store (else exit 1 at once).")
@quiet_option
def db_push(path: Path, uri: str, user: str | None, password: str | None, database: str | None,
            batch_size: int, with_risk: bool, replace: bool, wait: float, quiet: bool) -> None:
    """Push a chain into a graph store: an idempotent, batched upsert.

    Actors, countries and flows are merged on their ids, so pushing twice
    gives the same graph. Rows that fail validation are not pushed (see
    'riskgraph validate'). One push writes a store at a time (a lock in the
    store); another one exits 1, or waits with --wait.

    \b
    Examples:
      riskgraph db push datasets/gold --uri neo4j://localhost:7687 --with-risk
      riskgraph db push members/acme.xlsx --uri falkordb://localhost:6379/acme --batch-size 50000 -q
    """
    chain = read_chain(path)
    if not chain.report.ok and not quiet:
        stderr(f"{len(chain.report.errors)} rows failed validation and are not pushed (riskgraph validate {path}).")
    with _open_store(uri, user, password, database) as store:
        summary = store.push(chain, batch_size=batch_size, progress=not quiet, replace=replace, wait=wait)
        if with_risk:
            from riskgraph.risk import assess

            written = store.write_risk(assess(chain), batch_size=batch_size, progress=not quiet)
        if not quiet:
            for row in summary.itertuples():
                stderr(f"{row.table:<11}{row.rows:>10,} rows  {row.rows_per_second:>10,.0f} rows/s")
            if with_risk:
                stderr(f"{'risk':<11}{written:>10,} actors")
            stderr(f"Pushed {chain!r} to {store.location}")


@db.command("pull", context_settings=CONTEXT)
@raw_csv_option
@_store_options
@click.option("--out", type=click.Path(path_type=Path), required=True,
              help="Folder to write (CSV; add --parquet for Parquet) or an .xlsx workbook.")
@click.option("--parquet", is_flag=True, help="Write Parquet files instead of CSV.")
def db_pull(uri: str, user: str | None, password: str | None, database: str | None, out: Path,
            parquet: bool) -> None:
    """Pull the stored chain (actors and flows) back into files.

    The files read back as the chain that was pushed: actors sorted by id,
    flows by source, target, commodity and year.

    \b
    Example:
      riskgraph db pull --uri neo4j://localhost:7687 --out pulled/
    """
    from riskgraph.chain.io import write_chain

    with _open_store(uri, user, password, database) as store:
        chain = store.pull(name=out.stem)
        write_chain(chain, out, format="parquet" if parquet else None)
        stderr(f"Wrote {chain!r} from {store.location} to {out}")


@db.command("query", context_settings=CONTEXT)
@_store_options
@click.argument("name_or_file", metavar="NAME_OR_FILE")
@click.option("--param", "params", multiple=True, metavar="KEY=VALUE",
              help="A query parameter; repeat for several (lists: a,b,c or a JSON list).")
@output_options()
def db_query(uri: str, user: str | None, password: str | None, database: str | None, name_or_file: str,
             params: tuple[str, ...], fmt: str, out: Path | None) -> None:
    """Run a bundled read query by name, or a .cypher file, and print its rows.

    Bundled queries (cypher/queries/): upstream, downstream,
    actors_by_stage_country, chain_actors, chain_flows, node_shares,
    node_matrix. A file declares its parameters in comment lines such as
    "// :param node str  the actor id".

    \b
    Examples:
      riskgraph db query --uri neo4j://localhost:7687 upstream --param node=refiner_ch --param max_depth=2
      riskgraph db query --uri falkordb://localhost:6379/gold actors_by_stage_country --format csv
      riskgraph db query --uri neo4j://localhost:7687 my_query.cypher --param country=UG
    """
    from riskgraph.store import query_file

    file = query_file(name_or_file)
    values = _query_params(file, params)
    with _open_store(uri, user, password, database) as store:
        frame = store.query(name_or_file, **values)
        _emit_frame(frame, fmt, out, title=f"{file.name}: {len(frame)} rows")


@db.command("matrix", context_settings=CONTEXT)
@_store_options
@click.option("--node", required=True, help="Actor id whose matrix to compute.")
@click.option("--theme", type=click.Choice(THEMES), required=True, help="The theme.")
@click.option("--max-depth", type=click.IntRange(min=0), default=12, show_default=True,
              help="Levels of suppliers to follow (at most 12).")
@output_options()
def db_matrix(uri: str, user: str | None, password: str | None, database: str | None, node: str, theme: str,
              max_depth: int, fmt: str, out: Path | None) -> None:
    """Chain-location cells (stage × country × commodity) of a node, computed inside the database.

    Needs the likelihood and commodity mix stored on the actors: push with
    --with-risk. Prints the cells (stage, country, commodity, share,
    likelihood, exposure); --format json prints the same object as
    'riskgraph matrix --node N --theme T --format json': {node, theme,
    cells, unknown_share, peak: {stage, country, commodity, likelihood,
    share, actor, category}}. On an acyclic chain the values equal the
    in-memory engine within 1e-9.

    \b
    Example:
      riskgraph db matrix --uri neo4j://localhost:7687 --node jeweller_nl --theme child_labour --format json
    """
    import pandas as pd

    from riskgraph.output import print_json, write_frame

    with _open_store(uri, user, password, database) as store:
        data = _noting_depth(lambda: store.node_summary(node, theme, max_depth=max_depth))
    cells = pd.DataFrame(data["cells"], columns=["stage", "country", "commodity", "share", "likelihood", "exposure"])
    if out is not None and out.suffix.lower() == ".json":
        out.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        stderr(f"Wrote {out}")
    elif out is not None:
        write_frame(cells, out)
        stderr(f"Wrote {out}")
    elif fmt == "json":
        print_json(data)
    else:
        peak = data["peak"]
        emit_table(cells, fmt=fmt, title=(
            f"{theme} of {node} (in the database): peak likelihood {peak['likelihood']:.3f} at {peak['stage']} "
            f"{peak['country']} {peak['commodity']} (share {peak['share']:.1%}, {peak['actor']})"))


@db.command("shares", context_settings=CONTEXT)
@_store_options
@click.option("--node", required=True, help="Actor id whose shares to compute.")
@click.option("--max-depth", type=click.IntRange(min=0), default=12, show_default=True,
              help="Levels of suppliers to follow (at most 12).")
@output_options()
def db_shares(uri: str, user: str | None, password: str | None, database: str | None, node: str,
              max_depth: int, fmt: str, out: Path | None) -> None:
    """Share of a node's material that passed through each stage and country, computed inside the database.

    \b
    Example:
      riskgraph db shares --uri falkordb://localhost:6379/gold --node jeweller_nl
    """
    with _open_store(uri, user, password, database) as store:
        frame = _noting_depth(lambda: store.node_shares(node, max_depth=max_depth)).reset_index()
        _emit_frame(frame, fmt, out, title=f"Shares of {node}'s material (stage × country)")
