"""Countries are normalised to ISO alpha-2 from codes and names in English and Dutch."""
import pandas as pd
import pytest

from riskgraph.chain.countries import normalise_countries, to_iso2


@pytest.mark.parametrize(
    ("given", "iso2"),
    [
        ("NL", "NL"), ("nl", "NL"), ("NLD", "NL"), ("Netherlands", "NL"), ("Holland", "NL"),
        ("Nederland", "NL"), ("Ivory Coast", "CI"), ("Côte d'Ivoire", "CI"), ("Cote d'Ivoire", "CI"),
        ("CIV", "CI"), ("Ivoorkust", "CI"), ("Türkiye", "TR"), ("Turkey", "TR"), ("TUR", "TR"),
        ("Turkey (Türkiye)", "TR"), ("CHINA (MAINLAND)", "CN"), ("China Mainland", "CN"),
        ("Viet Nam", "VN"), ("Vietnam", "VN"), ("UNITED STATES OF AMERICA", "US"), ("DR Congo", "CD"),
        ("Congo, Democratic Republic of the", "CD"), ("Burma", "MM"), ("Bolivia", "BO"),
        ("Republic of Korea", "KR"), ("Korea (Republic of)", "KR"), ("Moldova (Republic of)", "MD"),
        ("BOLIVIA (PLURINATIONAL STATE OF)", "BO"), ("Kosovo", "XK"), ("NA", "NA"), ("Namibia", "NA"), ("  Brazil ", "BR"),
    ],
)
def test_country_names_and_codes_resolve_to_alpha2(given, iso2):
    assert to_iso2(given) == iso2


@pytest.mark.parametrize("given", ["Atlantis", "", "  ", None, float("nan"), "XX", "Europe"])
def test_unknown_countries_resolve_to_none(given):
    assert to_iso2(given) is None


def test_column_normalisation_keeps_order_and_marks_unknown_as_na():
    codes = normalise_countries(pd.Series(["Holland", "Atlantis", None, "GHA"]))
    assert codes.tolist()[0] == "NL" and codes.tolist()[3] == "GH"
    assert codes.isna().tolist() == [False, True, True, False]


# --------------------------------------------------------------------------- trade, registry and statistics spellings


@pytest.mark.parametrize(
    ("given", "iso2"),
    [
        # Trase and customs
        ("CHINA (HONG KONG)", "HK"), ("CHINA (MACAO)", "MO"), ("CONGO DEMOCRATIC REPUBLIC OF THE", "CD"),
        ("BRUNEI", "BN"), ("FRENCH GUYANA", "GF"), ("NETHERLANDS ANTILLES", "CW"), ("SOUTH KOREA", "KR"),
        # US DOL
        ("Congo, Republic of the", "CG"), ("The Gambia", "GM"), ("Korea, South", "KR"),
        # World Bank
        ("Korea, Rep.", "KR"), ("Egypt, Arab Rep.", "EG"), ("Gambia, The", "GM"), ("Lao PDR", "LA"),
        ("Congo, Dem. Rep.", "CD"), ("Hong Kong SAR, China", "HK"), ("West Bank and Gaza", "PS"),
        # UN M49 / FAOSTAT
        ("China, Taiwan Province of", "TW"), ("United Republic of Tanzania", "TZ"),
        # generic rewrites: '&', 'St.', a leading or trailing 'the'
        ("Trinidad & Tobago", "TT"), ("St. Lucia", "LC"), ("St Kitts & Nevis", "KN"), ("The Bahamas", "BS"),
    ],
)
def test_trade_registry_and_statistics_spellings(given, iso2):
    assert to_iso2(given) == iso2


@pytest.mark.parametrize("given", ["UNKNOWN COUNTRY", "UNKNOWN", "Unknown", "(country not stated)", "onbekend"])
def test_stated_unknown_is_not_a_country_but_is_recognised(given):
    from riskgraph.chain.countries import is_stated_unknown

    assert to_iso2(given) is None
    assert is_stated_unknown(given)


@pytest.mark.parametrize("given", ["Atlantis", "EUROPEAN UNION", "Serbia and Montenegro", "", None])
def test_unknown_spellings_are_not_stated_unknown(given):
    from riskgraph.chain.countries import is_stated_unknown

    assert not is_stated_unknown(given)


def test_alias_table_is_data_with_unique_aliases_and_real_codes():
    import pycountry

    from riskgraph._resources import dataset_path
    from riskgraph._text import fold

    table = pd.read_csv(dataset_path("vocabulary", "country_aliases.csv"), dtype=str, keep_default_na=False)
    codes_per_alias = table.assign(key=table["alias"].map(fold)).groupby("key")["iso2"].nunique()
    assert (codes_per_alias == 1).all()  # an alias never means two countries
    codes = set(table["iso2"]) - {""}
    assert all(c == "XK" or pycountry.countries.get(alpha_2=c) for c in codes)


def _sample_spellings(shared: "Path") -> dict[str, set[str]]:
    """Every country cell of the shared samples and reference tables, by file."""
    import csv

    from python_calamine import CalamineWorkbook

    samples, reference = shared / "samples", shared / "reference"
    found: dict[str, set[str]] = {}

    def csv_columns(path, columns):
        with open(path, encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                for column in columns:
                    if (row.get(column) or "").strip():
                        found.setdefault(path.name, set()).add(row[column].strip())

    csv_columns(samples / "trase" / "argentina-wood-pulp-v0.2.3-2024-01-17.csv",
                ["country_of_production", "country_of_destination"])
    csv_columns(samples / "cmrt" / "rmi_smelter_lookup_from_cmrt_6.5.csv", ["Smelter Facility Location: Country"])
    csv_columns(samples / "open_supply_hub" / "osh_facilities_download_wilmar_2024.csv", ["country_name", "country_code"])
    for path in sorted(reference.glob("*.csv")) + sorted((reference / "indicators").glob("*.csv")):
        csv_columns(path, ["country", "Country", "country_name"])
    for path in sorted((samples / "cmrt").glob("*.xlsx")):
        grid = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Smelter List").to_python()
        for row in grid[4:]:
            if len(row) > 4 and isinstance(row[4], str) and row[4].strip() not in ("", "0"):
                found.setdefault(path.name, set()).add(row[4].strip())
    book = CalamineWorkbook.from_path(str(samples / "supplier_lists" / "nike_manufacturing_map_export_2021-02.xls"))
    grid = book.get_sheet_by_name(book.sheet_names[0]).to_python()
    columns = [i for i, cell in enumerate(grid[1]) if "country" in str(cell).lower()]
    for row in grid[2:]:
        for i in columns:
            if isinstance(row[i], str) and row[i].strip():
                found.setdefault("nike.xls", set()).add(row[i].strip())
    return found


def test_every_country_spelling_in_the_shared_samples_resolves(shared_dir):
    from riskgraph.chain.countries import is_stated_unknown

    unresolved = []
    spellings = _sample_spellings(shared_dir)
    assert sum(map(len, spellings.values())) > 300
    for file, values in spellings.items():
        for value in values:
            # lists of countries in one cell ("China; Viet Nam" in the DOL change notes) are checked one by one
            for part in value.split(";"):
                if to_iso2(part) is None and not is_stated_unknown(part):
                    unresolved.append((file, part))
    assert unresolved == []


def test_a_stated_unknown_country_is_kept_and_carried_as_unknown_origin(tmp_path):
    """Trase's 'UNKNOWN COUNTRY' is not quarantined: the engine counts the material as unknown origin."""
    import riskgraph as rg

    folder = tmp_path / "chain"
    folder.mkdir()
    (folder / "actors.csv").write_text(
        "id,name,stage,country,sector,commodity\n"
        "F1,Farm one,farm,CI,food,cocoa\n"
        "F2,Farm two,farm,UNKNOWN COUNTRY,food,cocoa\n"
        "T1,Trader,trader,NL,food,cocoa\n", encoding="utf-8")
    (folder / "flows.csv").write_text("source,target,volume\nF1,T1,30\nF2,T1,10\n", encoding="utf-8")
    chain = rg.read_chain(folder)
    assert chain.report.ok and len(chain.actors) == 3
    warning = chain.report.issues.set_index("reason").loc["country_stated_unknown"]
    assert warning["severity"] == "warning" and warning["row"] == 3
    assessment = rg.assess(chain)
    # 10 of the trader's 40 tonnes come from a farm in an unknown country
    assert assessment.unknown_share["T1"] == pytest.approx(0.25)
    assert assessment.unknown_share["F2"] == pytest.approx(1.0)
    shares = assessment.shares("T1")
    assert list(shares.columns) == ["CI", "NL"]  # no made-up country column for the unknown farm
    assert shares.loc["farm", "CI"] == pytest.approx(0.75)


def test_an_empty_or_misspelt_country_is_still_an_error(tmp_path):
    import riskgraph as rg

    folder = tmp_path / "chain"
    folder.mkdir()
    (folder / "actors.csv").write_text("id,stage,country,sector\nF1,farm,,food\nF2,farm,Atlantis,food\n"
                                       "F3,farm,CI,food\n", encoding="utf-8")
    (folder / "flows.csv").write_text("source,target\n", encoding="utf-8")
    chain = rg.read_chain(folder)
    assert chain.actors["id"].tolist() == ["F3"]
    assert chain.report.errors["reason"].tolist() == ["unknown_country", "unknown_country"]


def test_a_buyer_without_a_country_passes_known_origins_on(tmp_path):
    """A buyer named without a country has no location of its own; the origin of what it buys stays known."""
    import riskgraph as rg

    folder = tmp_path / "chain"
    folder.mkdir()
    (folder / "actors.csv").write_text(
        "id,stage,country,sector,commodity\nC1,farm,CI,food,cocoa\nB1,trader,Unknown,food,cocoa\n",
        encoding="utf-8")
    (folder / "flows.csv").write_text("source,target,volume\nC1,B1,5\n", encoding="utf-8")
    assessment = rg.assess(rg.read_chain(folder))
    assert assessment.unknown_share["B1"] == pytest.approx(0.0)
    assert assessment.shares("B1").loc["farm", "CI"] == pytest.approx(1.0)
