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
