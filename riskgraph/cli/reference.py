"""Commands on the bundled reference data: ``reference show``."""
from __future__ import annotations

import click

from riskgraph.cli._common import CONTEXT, THEMES, lang_option
from riskgraph.output import emit_table


@click.group("reference", context_settings=CONTEXT)
def reference() -> None:
    """The bundled reference data: country and region scores with their sources.

    \b
    Examples:
      riskgraph reference show --country IN
      riskgraph reference show --country "Côte d'Ivoire" --theme deforestation --format json
    """


@reference.command("show", context_settings=CONTEXT)
@click.option("--country", required=True, help="ISO code or name of the country (IN, IND, India).")
@click.option("--theme", type=click.Choice(THEMES), default=None, help="One theme; default: all ten.")
@click.option("--commodities", is_flag=True,
              help="Also list the commodity evidence (DOL listings, EUDR floors, gold hubs) for the country.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True,
              help="How to print the result on stdout.")
@lang_option()
def show(country: str, theme: str | None, commodities: bool, fmt: str, lang: str) -> None:
    """Every score of a country with its raw value, source, year and method.

    Country scores first, then the scores of the country's regions (ISO
    3166-2) where a cited source gives one, then, with --commodities, the
    evidence that raises the score for particular goods. The method names the
    scale and its anchors (datasets/reference/SOURCES.md, section 2.1), or
    the proxy formula where no source measures the theme.

    \b
    Examples:
      riskgraph reference show --country IN
      riskgraph reference show --country India --theme child_labour
      riskgraph reference show --country CD --commodities --format csv > drc.csv
    """
    from riskgraph.formatting import country_label, phrase
    from riskgraph.risk.reference import reference_profile

    table = reference_profile(country, theme, commodities=commodities)
    iso = table["place"].iloc[0]
    title = phrase("cli.reference.title_theme", country=country_label(iso), code=iso, theme=theme) if theme else \
        phrase("cli.reference.title", country=country_label(iso), code=iso)
    emit_table(table, fmt=fmt, floatfmt="{:.3f}", title=title)
