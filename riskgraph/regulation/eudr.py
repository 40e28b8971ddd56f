"""EUDR due-diligence data under Regulation (EU) 2023/1115 as amended by Regulation (EU) 2025/2650.

Three questions for one company node of a chain, each answered with the
rule and article it rests on (``datasets/regulation/eudr_rules.csv``,
``riskgraph eudr --rules``):

1. **Who files?** (:func:`eudr_role`). Since the 2025 amendment only the
   *operator* — the person who first places a relevant product on the Union
   market or exports it (Art. 2(15)-(16); Art. 7 for placers outside the
   Union) — exercises due diligence and submits a due diligence statement
   (Art. 4). A *downstream operator* (Art. 2(15b)) or *trader* (Art. 2(17))
   files nothing; it keeps its suppliers' and customers' details and, only
   where its supplier is an operator, the reference numbers of that
   supplier's statements (Art. 5(3)). A micro or small primary operator in a
   low-risk country submits a simplified declaration instead (Art. 4a). The
   role is read from the chain: an EU actor receiving in-scope products from
   outside the Union, or producing them itself, is an operator; one supplied
   only from inside the Union is a downstream operator when it makes other
   products (processor, manufacturer …) and a trader when it resells them
   (trader, wholesaler, retailer …). An ``eudr_role`` column on actors
   overrides this, an ``sme`` column (``yes``/``no``/``micro``/``small``/
   ``medium``) gives the size.
2. **What may be placed on the market?** (:func:`eudr_statement`, for an
   operator). Products from a plot with forest loss after the 2020-12-31
   cut-off (Art. 2(13), 3(a), 9(1)(d)), from a plot whose geolocation fails a
   check, or from a producer without any plot are *blocking*: they are
   listed with the reason and never written to the submittable
   ``plots.geojson``. Cattle establishments may be points of any size
   (Art. 2(28) limits the polygon rule to plots "other than cattle").
3. **What does the statement still lack?** The Art. 9(1) information with
   what is missing: HS codes from Annex I (matched on the HS/CN code a flow
   carries, else on the product or commodity name), quantity in kg of net
   mass, country of production, geolocation with the date or period of
   production, suppliers and customers, and evidence of deforestation-free
   production and of legality.

The GeoJSON follows the EU information system's format: a FeatureCollection
of Point, MultiPoint, Polygon or MultiPolygon features with
``ProducerName``, ``ProducerCountry``, ``ProductionPlace`` and ``Area`` (ha),
2-D WGS84 coordinates written with the literals as delivered (a third value
is dropped with a warning; fewer than six decimals are reported, never
padded).

Optional columns read when present: flows ``hs_code`` or ``cn_code``,
``dds_reference``, ``production_date``/``production_period``; plots
``production_date``/``production_period``, ``legality_evidence``; actors
``address``, ``email``, ``sme``, ``eudr_role``, ``legality_evidence``.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from riskgraph._resources import dataset_path
from riskgraph.errors import InputError
from riskgraph.formatting import Phrase, frame_with_phrases
from riskgraph.output import write_csv
from riskgraph.chain.model import Chain, chain_start_stages
from riskgraph.risk.reference import commodity_key, eudr_benchmark, eudr_commodities
from riskgraph.regulation.common import EU_MEMBER_STATES, article, digits, kg_factor

CUTOFF = "2020-12-31"
#: The text every statement relies on.
TEXT_RELIED_ON = ("Regulation (EU) 2023/1115 as amended by Regulation (EU) 2025/2650 (OJ L, 23.12.2025), "
                  "consolidated text of 26 December 2025, CELEX 32023R1115")
APPLICATION = ("Articles 3 to 13, 16 to 24, 26, 31 and 32 apply from 30 December 2026; for micro and small "
               "undertakings established by 31 December 2024 from 30 June 2027 (Art. 38(2)-(3)).")
#: Stages whose actors resell what they buy; other stages downstream of the origin make other products from it.
TRADING_STAGES = frozenset({"trader", "wholesaler", "retailer", "importer", "exporter", "cooperative", "brand",
                            "bullion_bank", "installer"})
OPERATOR, SMALL_PRIMARY, DOWNSTREAM, TRADER = ("operator", "micro_or_small_primary_operator", "downstream_operator",
                                               "trader")
OUTSIDE_UNION, NOT_IN_SCOPE = "outside_union", "not_in_scope"
ROLES = (OPERATOR, SMALL_PRIMARY, DOWNSTREAM, TRADER, OUTSIDE_UNION, NOT_IN_SCOPE)
FILES = {OPERATOR: "due diligence statement (Art. 4(2))", SMALL_PRIMARY: "one-time simplified declaration (Art. 4a)"}
ROLE_RULE = {OPERATOR: "EUDR-ROLE-OPERATOR", SMALL_PRIMARY: "EUDR-MICRO-SMALL-PRIMARY",
             DOWNSTREAM: "EUDR-ROLE-DOWNSTREAM", TRADER: "EUDR-ROLE-TRADER", OUTSIDE_UNION: "EUDR-ROLE-OPERATOR",
             NOT_IN_SCOPE: "EUDR-PROHIBITION"}
ITEM_COLUMNS = ["item", "actor", "detail", "rule_id", "article"]
#: The EUDR rule behind each plot geolocation check (``riskgraph.geo.rules``) that blocks or warns.
GEOLOCATION_RULES = {"point_above_4ha": "EUDR-POLYGON-ABOVE-4HA", "unsupported_geometry": "EUDR-GEOJSON-TYPES",
                     "too_few_decimals": "EUDR-SIX-DECIMALS", "missing_area": "EUDR-AREA",
                     "area_mismatch": "EUDR-AREA", "outside_declared_country": "EUDR-COUNTRY-OF-PRODUCTION"}
BLOCKING_COLUMNS = ["plot", "actor", "producer", "country", "commodity", "share", "reason", "rule_id", "article"]
WARNING_COLUMNS = ["plot", "actor", "detail", "rule_id", "article"]
COMMODITY_COLUMNS = ["commodity", "hs_codes", "matched_on", "quantity_kg", "flows", "flows_without_net_mass",
                     "description"]
KEEP_COLUMNS = ["supplier", "name", "country", "commodity", "hs_codes", "supplier_role", "reference_needed",
                "dds_reference", "address", "email"]


# --------------------------------------------------------------------------- Annex I and products


@lru_cache(maxsize=None)
def annex_i() -> pd.DataFrame:
    """Annex I of Regulation (EU) 2023/1115: ``commodity, cn_code, ex, description, digits`` (one row per code)."""
    table = pd.read_csv(dataset_path("regulation", "eudr_annex_i.csv"), dtype=str, keep_default_na=False)
    table["digits"] = table["cn_code"].map(digits)
    return table


@lru_cache(maxsize=None)
def _products() -> dict[str, tuple[str, tuple[str, ...]]]:
    table = pd.read_csv(dataset_path("regulation", "eudr_products.csv"), dtype=str, keep_default_na=False)
    return {_fold(a): (c, tuple(codes.split(";"))) for a, c, codes in
            zip(table["alias"], table["commodity"], table["cn_codes"])}


def _fold(value: object) -> str:
    from riskgraph._text import fold

    return " ".join(fold(str(value)).replace("_", " ").split())


def hs_codes(commodity: str) -> list[str]:
    """Every Annex I code of an EUDR commodity (``oil_palm`` or ``oil palm``), as printed in the Annex."""
    key = str(commodity).replace(" ", "_")
    return annex_i().loc[annex_i()["commodity"] == key, "cn_code"].tolist()


def resolve_product(commodity: object = None, hs_code: object = None) -> tuple[str | None, list[str], str | None]:
    """The EUDR commodity and Annex I codes of a product, and what they were matched on.

    An HS or CN code governs (Annex I lists codes): a code under an Annex
    heading (``180631`` under ``1806``, ``4703`` under chapter ``47``) gives
    that row; a heading above Annex rows (``1513``) gives those rows; a code
    outside Annex I is out of scope whatever the name says. Without a code
    the product name is looked up (``chocolate`` → 1806, ``wood pulp`` → 47),
    then the commodity (``palm oil`` → every oil-palm code).

    Returns
    -------
    tuple
        ``(commodity, codes, matched_on)`` with ``matched_on`` one of
        ``hs_code``, ``product``, ``commodity``, ``hs_code_outside_annex`` or
        ``None`` (not a relevant product).

    Examples
    --------
    >>> resolve_product("wood pulp")[:2], resolve_product(hs_code="4703 21")[:2]
    (('wood', ['47']), ('wood', ['47']))
    >>> resolve_product("Palm oil")[0], resolve_product(hs_code="1513")[1]
    ('oil_palm', ['1513 21', '1513 29'])
    """
    code = digits(hs_code)
    annex = annex_i()
    if code:
        under = annex[[code.startswith(d) for d in annex["digits"]]]
        if len(under):
            best = under[under["digits"].str.len() == under["digits"].str.len().max()]
            return str(best["commodity"].iloc[0]), best["cn_code"].tolist(), "hs_code"
        above = annex[annex["digits"].str.startswith(code)]
        if len(above) and above["commodity"].nunique() == 1:
            return str(above["commodity"].iloc[0]), above["cn_code"].tolist(), "hs_code"
        return None, [], "hs_code_outside_annex"
    if commodity is None or commodity is pd.NA or (isinstance(commodity, float) and commodity != commodity):
        return None, [], None
    product = _products().get(_fold(commodity))
    if product is not None:
        return product[0], list(product[1]), "product"
    key = commodity_key(commodity)
    eudr = eudr_commodities().get(key) if key else None
    if eudr:
        eudr = str(eudr).replace(" ", "_")
        return eudr, hs_codes(eudr), "commodity"
    return None, [], None


# --------------------------------------------------------------------------- roles


@dataclass
class EudrRole:
    """Who a node is under the EUDR and what it must file or keep.

    Attributes
    ----------
    role : str
        ``operator``, ``micro_or_small_primary_operator``,
        ``downstream_operator``, ``trader``, ``outside_union`` or
        ``not_in_scope``.
    files : str or None
        What the node submits (a due diligence statement, a simplified
        declaration) or ``None``.
    reasons : list of str
        Why, each sentence ending with its article.
    placed_first : DataFrame
        The in-scope deliveries the node places on the market first (from
        outside the Union, or its own production).
    keep : DataFrame
        The in-scope deliveries from suppliers in the Union, with the
        supplier's role and whether its statement's reference number must be
        kept (Art. 5(3)(a)): ``KEEP_COLUMNS``.
    """

    node: str
    name: str
    country: str | None
    role: str
    sme: str
    files: str | None
    reasons: list[str]
    rule_ids: list[str]
    placed_first: pd.DataFrame
    keep: pd.DataFrame

    @property
    def files_statement(self) -> bool:
        return self.role == OPERATOR

    def to_dict(self) -> dict:
        from riskgraph.output import to_jsonable

        return {"node": self.node, "name": self.name, "country": self.country, "role": self.role, "sme": self.sme,
                "files": self.files, "files_due_diligence_statement": self.files_statement,
                "reasons": list(self.reasons),
                "rules": [{"rule_id": r, "article": article("eudr", r)} for r in self.rule_ids],
                "keep": to_jsonable(self.keep)}


def _text(value: object) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    text = str(value).strip()
    return text or None


def _column(frame: pd.DataFrame, *names: str) -> pd.Series:
    """The first of ``names`` that is a column, as text (``None`` where blank); all ``None`` when none is."""
    for name in names:
        if name in frame.columns:
            return frame[name].astype(object).map(_text)
    return pd.Series([None] * len(frame), index=frame.index, dtype=object)


def in_scope_flows(chain: Chain, year: int | None = None) -> pd.DataFrame:
    """Every flow of a relevant product: the flows table with ``eudr_commodity, hs_codes, matched_on,
    source_country, source_in_union, kg`` (``kg`` NaN where the quantity is not a mass)."""
    flows = chain.flows if year is None else chain.flows[chain.flows["year"] == year]
    actors = chain.actors.set_index("id")
    codes = _column(flows, "hs_code", "cn_code")
    source_commodity = flows["source"].map(actors["commodity"])
    rows = []
    for commodity, own, code in zip(flows["commodity"].astype(object), source_commodity.astype(object), codes):
        resolved = resolve_product(commodity if _text(commodity) else own, code)
        rows.append(resolved)
    out = flows.assign(
        eudr_commodity=[r[0] for r in rows], hs_codes=[";".join(r[1]) for r in rows], matched_on=[r[2] for r in rows],
        source_country=flows["source"].map(actors["country"]).astype(object),
        target_country=flows["target"].map(actors["country"]).astype(object),
    )
    out["source_in_union"] = out["source_country"].isin(EU_MEMBER_STATES)
    factor = out["unit"].astype(object).map(kg_factor).astype(float)
    out["kg"] = out["volume"].astype(float) * factor
    return out[out["eudr_commodity"].notna()]


def _sme(value: object) -> str:
    text = (_text(value) or "").lower()
    return {"yes": "sme", "true": "sme", "1": "sme", "no": "non-sme", "false": "non-sme", "0": "non-sme",
            "micro": "micro", "small": "small", "medium": "medium", "large": "non-sme"}.get(text, "unknown")


def eudr_role(chain: Chain, node: str, *, year: int | None = None, _flows: pd.DataFrame | None = None,
              _memo: dict | None = None) -> EudrRole:
    """The EUDR role of ``node`` (module docstring, rules ``EUDR-ROLE-*``).

    Raises
    ------
    InputError
        When ``node`` is not an actor of the chain.
    """
    if node not in set(chain.actors["id"]):
        raise InputError(f"actor '{node}' is not in the chain")
    memo = {} if _memo is None else _memo
    if node in memo:
        return memo[node]
    flows = in_scope_flows(chain, year) if _flows is None else _flows
    actors = chain.actors.set_index("id")
    me = actors.loc[node]
    country = _text(me["country"])
    sme = _sme(me["sme"]) if "sme" in actors.columns else "unknown"
    inputs = flows[flows["target"] == node]
    origin = (me["sector"], me["stage"]) in chain_start_stages()
    own, _, _ = resolve_product(me["commodity"])
    reasons, rules = [], []
    override = _text(me["eudr_role"]) if "eudr_role" in actors.columns else None
    placed_first = inputs[~inputs["source_in_union"]]
    from_union = inputs[inputs["source_in_union"]]

    if override in ROLES:
        role = override
        reasons.append(Phrase("eudr.role_given", role=override))
    elif country not in EU_MEMBER_STATES:
        role = OUTSIDE_UNION
        reasons.append(Phrase("eudr.outside_union", country=country or Phrase("eudr.country_unknown")))
    elif origin and own is not None:
        benchmark = eudr_benchmark().get(country, "standard")
        if sme in ("micro", "small") and benchmark == "low":
            role = SMALL_PRIMARY
            reasons.append(Phrase("eudr.small_primary", commodity=own, sme=sme, country=country))
        else:
            role = OPERATOR
            reasons.append(Phrase("eudr.own_production", commodity=own, country=country))
    elif inputs.empty:
        role = NOT_IN_SCOPE
        reasons.append(Phrase("eudr.no_product_year", year=year) if year else Phrase("eudr.no_product"))
    elif len(placed_first):
        role = OPERATOR
        outside = ", ".join(sorted(set(placed_first["source_country"].dropna())))
        reasons.append(Phrase("eudr.operator", countries=outside))
    elif str(me["stage"]) in TRADING_STAGES:
        role = TRADER
        reasons.append(Phrase("eudr.trader", stage=me["stage"]))
    else:
        role = DOWNSTREAM
        reasons.append(Phrase("eudr.downstream", stage=me["stage"]))
    rules.append(ROLE_RULE[role])
    if role == OPERATOR and len(from_union):
        reasons.append(Phrase("eudr.also_from_union"))
    if role in (DOWNSTREAM, TRADER):
        rules.append("EUDR-KEEP-REFERENCE-NUMBERS")
        rules.append("EUDR-KEEP-CUSTOMERS")
        if sme == "non-sme":
            rules.append("EUDR-REGISTER-NON-SME")
            reasons.append(Phrase("eudr.register_non_sme"))
        elif sme == "unknown":
            reasons.append(Phrase("eudr.sme_unknown"))
    result = EudrRole(node=node, name=str(me["name"]) if _text(me["name"]) else node, country=country, role=role,
                      sme=sme, files=FILES.get(role), reasons=reasons, rule_ids=rules, placed_first=placed_first,
                      keep=pd.DataFrame(columns=KEEP_COLUMNS))
    memo[node] = result
    result.keep = _keep_table(chain, from_union, flows, memo, year)
    return result


def _keep_table(chain: Chain, from_union: pd.DataFrame, flows: pd.DataFrame, memo: dict, year) -> pd.DataFrame:
    """Art. 5(3)(a): per supplier in the Union, its role and whether its statement's reference number is kept."""
    if from_union.empty:
        return pd.DataFrame(columns=KEEP_COLUMNS)
    actors = chain.actors.set_index("id")
    references = _column(from_union, "dds_reference", "reference_number")
    rows = []
    for (supplier, commodity), group in from_union.assign(_ref=references).groupby(["source", "eudr_commodity"],
                                                                                   sort=True):
        supplier_role = eudr_role(chain, supplier, year=year, _flows=flows, _memo=memo).role
        given = sorted({r for r in group["_ref"] if r})
        rows.append({
            "supplier": supplier, "name": _text(actors.loc[supplier, "name"]), "country": _text(actors.loc[supplier,
                                                                                                           "country"]),
            "commodity": commodity, "hs_codes": ";".join(sorted({c for h in group["hs_codes"] for c in h.split(";")})),
            "supplier_role": supplier_role, "reference_needed": supplier_role in (OPERATOR, SMALL_PRIMARY),
            "dds_reference": "; ".join(given) or None,
            "address": _text(actors.loc[supplier, "address"]) if "address" in actors.columns else None,
            "email": _text(actors.loc[supplier, "email"]) if "email" in actors.columns else None,
        })
    return pd.DataFrame(rows, columns=KEEP_COLUMNS)


# --------------------------------------------------------------------------- the statement


@dataclass
class EudrStatement:
    """The EUDR view of one node and year: its role and, for an operator, the statement data.

    Attributes
    ----------
    role : EudrRole
    commodities : DataFrame
        ``COMMODITY_COLUMNS``: relevant products the node places first (an
        operator) or receives (others), with Annex I codes and kg net mass.
    production : DataFrame
        ``commodity, country, share, producers, benchmark``.
    plots : DataFrame
        The plots exported to ``plots.geojson`` (none blocking).
    blocking : DataFrame
        ``BLOCKING_COLUMNS``: what may not be placed on the market, and why.
    warnings : DataFrame
        ``WARNING_COLUMNS``: geolocation and export warnings.
    information : DataFrame
        The Art. 9(1) checklist: ``item, article, rule_id, status, detail``.
    missing : DataFrame
        ``ITEM_COLUMNS``: what is still missing, one row per gap.
    """

    node: str
    year: int | None
    role: EudrRole
    commodities: pd.DataFrame
    production: pd.DataFrame
    plots: pd.DataFrame
    blocking: pd.DataFrame
    warnings: pd.DataFrame
    information: pd.DataFrame
    missing: pd.DataFrame
    risk: dict = field(default_factory=dict)
    geojson: dict = field(default_factory=dict)

    @property
    def files_statement(self) -> bool:
        return self.role.files_statement

    def to_dict(self) -> dict:
        from riskgraph.output import to_jsonable

        return {
            "node": self.node, "year": self.year, "text_relied_on": TEXT_RELIED_ON,
            "application": {"text": APPLICATION, "rule_id": "EUDR-APPLICATION-DATE",
                            "article": article("eudr", "EUDR-APPLICATION-DATE")},
            "prohibition": {"rule_id": "EUDR-PROHIBITION", "article": article("eudr", "EUDR-PROHIBITION")},
            "cutoff_date": CUTOFF, "role": self.role.to_dict(),
            "commodities": to_jsonable(self.commodities), "production_countries": to_jsonable(self.production),
            "plots_exported": len(self.plots), "blocking": to_jsonable(self.blocking),
            "warnings": to_jsonable(self.warnings), "information": to_jsonable(self.information),
            "risk_assessment": to_jsonable(self.risk), "missing": to_jsonable(self.missing),
        }

    def write(self, folder: Path | str) -> Path:
        """Write ``statement.json`` and the tables as CSV; an operator's submittable ``plots.geojson`` too."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        if self.files_statement:
            (folder / "plots.geojson").write_text(dump_geojson(self.geojson), encoding="utf-8")
        (folder / "statement.json").write_text(json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n",
                                               encoding="utf-8")
        for name in ("commodities", "production", "blocking", "warnings", "information", "missing"):
            write_csv(getattr(self, name), folder / f"{name}.csv")
        write_csv(self.role.keep, folder / "keep.csv")
        return folder


def dump_geojson(collection: dict) -> str:
    """FeatureCollection text with each geometry written as prepared (its coordinate literals kept)."""
    features = []
    for feature in collection.get("features", []):
        features.append('{"type": "Feature", "properties": ' + json.dumps(feature["properties"], ensure_ascii=False)
                        + ', "geometry": ' + feature["geometry"] + "}")
    return '{"type": "FeatureCollection", "features": [\n' + ",\n".join(features) + "\n]}\n"


class _Literal(str):
    """A JSON number kept as its text."""

    __slots__ = ()


def geometry_2d(text: str) -> tuple[str, int, int]:
    """GeoJSON geometry text reduced to 2-D with every coordinate literal kept as written.

    Returns the text, the number of positions whose third value was dropped
    and the number of coordinate values with fewer than six decimals (which
    are reported, never padded).

    >>> geometry_2d('{"type": "Point", "coordinates": [5.1234567, 52.1, 3.0]}')
    ('{"type": "Point", "coordinates": [5.1234567, 52.1]}', 1, 1)
    """
    decode = json.JSONDecoder(parse_float=_Literal, parse_int=_Literal).decode
    geometry = decode(text)
    counts = {"z": 0, "short": 0}

    def position(value) -> bool:
        return isinstance(value, list) and 2 <= len(value) <= 3 and all(isinstance(v, _Literal) for v in value)

    def dump(value) -> str:
        if position(value):
            if len(value) == 3:
                counts["z"] += 1
            for literal in value[:2]:
                decimals = len(literal.split(".", 1)[1]) if "." in literal and "e" not in literal.lower() else 0
                counts["short"] += decimals < 6
            return "[" + ", ".join(value[:2]) + "]"
        if isinstance(value, list):
            return "[" + ", ".join(dump(v) for v in value) + "]"
        if isinstance(value, _Literal):
            return str(value)
        return json.dumps(value, ensure_ascii=False)

    out = '{"type": ' + json.dumps(geometry.get("type")) + ', "coordinates": ' + dump(geometry.get("coordinates")) + "}"
    return out, counts["z"], counts["short"]


def _no_contact(who, gaps: list[str]) -> Phrase:
    """``supplier X: no address or email recorded``."""
    fields = Phrase("eudr.address_or_email", first=gaps[0], second=gaps[1]) if len(gaps) > 1 else gaps[0]
    return Phrase("eudr.no_contact", who=who, fields=fields)


def _item(item: str, actor, detail: str, rule_id: str) -> dict:
    return {"item": item, "actor": actor, "detail": detail, "rule_id": rule_id, "article": article("eudr", rule_id)}


def eudr_statement(chain: Chain, node: str, *, year: int | None = None, assessment=None) -> EudrStatement:
    """The EUDR view of ``node`` for ``year`` (all years when ``None``): its role and, for an operator, the
    due diligence statement data with what blocks and what is missing (module docstring).

    ``assessment`` is accepted for backwards compatibility and not used.

    Raises
    ------
    InputError
        When ``node`` is not an actor of the chain.
    """
    flows = in_scope_flows(chain, year)
    role = eudr_role(chain, node, year=year, _flows=flows)
    if role.role != OPERATOR:
        return _non_operator(chain, node, year, role, flows)
    return _operator(chain, node, year, role, flows)


def _commodity_table(flows: pd.DataFrame) -> pd.DataFrame:
    rows = []
    annex = annex_i().set_index("cn_code")["description"]
    for commodity, group in flows.groupby("eudr_commodity", sort=True):
        codes = sorted({c for h in group["hs_codes"] for c in h.split(";") if c})
        rows.append({
            "commodity": commodity, "hs_codes": ";".join(codes),
            "matched_on": ";".join(sorted({str(m) for m in group["matched_on"]})),
            "quantity_kg": float(group["kg"].sum()) if group["kg"].notna().any() else np.nan,
            "flows": int(len(group)), "flows_without_net_mass": int(group["kg"].isna().sum()),
            "description": "; ".join(dict.fromkeys(annex.get(c, "") for c in codes)),
        })
    return pd.DataFrame(rows, columns=COMMODITY_COLUMNS)


def _empty(columns) -> pd.DataFrame:
    return pd.DataFrame(columns=columns)


def _non_operator(chain, node, year, role: EudrRole, flows) -> EudrStatement:
    received = flows[flows["target"] == node]
    missing = []
    for row in role.keep.itertuples(index=False):
        if row.reference_needed and not row.dds_reference:
            missing.append(_item("dds_reference", row.supplier,
                                 Phrase("eudr.keep_reference", supplier=row.name or row.supplier,
                                        commodity=row.commodity), "EUDR-KEEP-REFERENCE-NUMBERS"))
        gaps = [f for f in ("address", "email") if not getattr(row, f)]
        if role.role in (DOWNSTREAM, TRADER) and gaps:
            missing.append(_item("supplier", row.supplier, _no_contact(row.name or row.supplier, gaps),
                                 "EUDR-KEEP-REFERENCE-NUMBERS"))
    return EudrStatement(
        node=node, year=year, role=role, commodities=_commodity_table(received), production=_empty(
            ["commodity", "country", "share", "producers", "benchmark"]), plots=_empty(["plot_id"]),
        blocking=_empty(BLOCKING_COLUMNS), warnings=_empty(WARNING_COLUMNS),
        information=_empty(["item", "article", "rule_id", "status", "detail"]),
        missing=frame_with_phrases(missing, ITEM_COLUMNS, ["detail"]), risk={}, geojson={"type": "FeatureCollection",
                                                                               "features": []})


def _operator(chain: Chain, node: str, year, role: EudrRole, flows: pd.DataFrame) -> EudrStatement:
    from riskgraph.geo.plots import plot_checks
    from riskgraph.risk import upstream_weights

    actors = chain.actors.set_index("id")
    me = actors.loc[node]
    placed = role.placed_first
    own_origin = (me["sector"], me["stage"]) in chain_start_stages()
    # Follow only the material the node places first: its deliveries from inside the Union are covered upstream.
    covered = flows[(flows["target"] == node) & flows["source_in_union"]].index
    sub = chain.replace(flows=chain.flows.drop(index=covered, errors="ignore"))
    weights = upstream_weights(sub, nodes=[node], year=year)[node]
    upstream = weights[weights > 0]
    starts = chain_start_stages()
    candidates = actors.loc[upstream.index]
    commodity_of = {a: resolve_product(c)[0] for a, c in candidates["commodity"].astype(object).items()}
    origins = candidates[[(s, st) in starts and commodity_of[a] is not None
                          for a, s, st in zip(candidates.index, candidates["sector"], candidates["stage"])]].copy()
    if not own_origin:
        origins = origins.drop(index=node, errors="ignore")
    origins["weight"] = upstream.reindex(origins.index).to_numpy()
    origins["eudr_commodity"] = [commodity_of[a] for a in origins.index]
    missing: list[dict] = []
    blocking: list[dict] = []
    warnings: list[dict] = []

    # Trails that end before an origin: material whose production place cannot be known.
    has_input = set(sub.flows["target"] if year is None else sub.flows.loc[sub.flows["year"] == year, "target"])
    for actor, share in upstream.items():
        if actor == node or actor in origins.index or actor in has_input:
            continue
        if (actors.loc[actor, "sector"], actors.loc[actor, "stage"]) in starts:
            continue
        missing.append(_item("origin", actor, Phrase("eudr.origin_unknown", share=float(share), actor=actor,
                                                     stage=actors.loc[actor, "stage"],
                                                     country=actors.loc[actor, "country"]), "EUDR-NO-GEOLOCATION"))

    plots = chain.plots[chain.plots["actor_id"].isin(origins.index)].reset_index(drop=True).copy()
    plots["establishment"] = plots["actor_id"].map(origins["eudr_commodity"]).eq("cattle").to_numpy()
    checks = plot_checks(plots, chain.actors) if len(plots) else None
    findings = checks.findings if checks is not None else _empty(["plot", "rule", "severity", "detail"])
    errors = findings[findings["severity"] == "error"]
    for plot, group in errors.groupby("plot", sort=True):
        actor = plots.loc[plots["plot_id"] == plot, "actor_id"]
        actor = actor.iloc[0] if len(actor) else None
        found = set(group["rule"])
        rule = next((GEOLOCATION_RULES[r] for r in ("point_above_4ha", "unsupported_geometry") if r in found),
                    "EUDR-GEOLOCATION-FAILED")
        blocking.append(_blocking(plot, actor, origins, Phrase("eudr.geolocation_fails", findings=Phrase.join(
            Phrase("eudr.rule_detail", rule=r, detail=d) for r, d in zip(group["rule"], group["detail"]))), rule))
    for row in findings[findings["severity"] == "warning"].itertuples(index=False):
        rule = GEOLOCATION_RULES.get(row.rule, "EUDR-GEOLOCATION-FAILED")
        warnings.append({"plot": row.plot, "actor": row.actor, "detail": f"{row.rule}: {row.detail}",
                         "rule_id": rule, "article": article("eudr", rule)})
    loss = plots["forest_loss_ha_after_2020"].astype(float)
    for plot in plots.loc[loss.fillna(0) > 0].itertuples(index=False):
        blocking.append(_blocking(plot.plot_id, plot.actor_id, origins,
                                  Phrase("eudr.forest_loss", hectares=float(plot.forest_loss_ha_after_2020),
                                         cutoff=CUTOFF), "EUDR-CUTOFF"))
    for actor in origins.index.difference(plots["actor_id"].dropna()):
        blocking.append(_blocking(None, actor, origins, Phrase("eudr.no_plot"), "EUDR-NO-GEOLOCATION"))
    blocked = {b["plot"] for b in blocking if b["plot"] is not None}
    good = plots[~plots["plot_id"].isin(blocked)].reset_index(drop=True)

    geodesic = checks.plots.set_index("plot")["geodesic_area_ha"] if checks is not None else pd.Series(dtype=float)
    features = []
    for plot in good.itertuples(index=False):
        producer = origins.loc[plot.actor_id]
        text, dropped, short = geometry_2d(plot.geometry)
        if dropped:
            warnings.append({"plot": plot.plot_id, "actor": plot.actor_id, "detail": f"{dropped} positions carried a "
                             "third value (elevation); it was dropped: the export is 2-D", "rule_id": "EUDR-2D-WGS84",
                             "article": article("eudr", "EUDR-2D-WGS84")})
        area = plot.area_ha if pd.notna(plot.area_ha) else geodesic.get(plot.plot_id, np.nan)
        if pd.isna(area):
            warnings.append({"plot": plot.plot_id, "actor": plot.actor_id, "detail": "area unknown: Area left out",
                             "rule_id": "EUDR-AREA", "article": article("eudr", "EUDR-AREA")})
        properties = {"ProducerName": str(producer["name"]), "ProducerCountry": str(producer["country"]),
                      "ProductionPlace": str(plot.plot_id)}
        if pd.notna(area):
            properties["Area"] = round(float(area), 4)
        features.append({"properties": properties, "geometry": text})

    # Art. 9(1) information.
    period = dict(zip(plots["plot_id"], _column(plots, "production_date", "production_period")))
    flow_period = _column(placed, "production_date", "production_period").notna().any()
    for plot in good["plot_id"]:
        if not period.get(plot) and not flow_period:
            missing.append(_item("production_date", None, Phrase("eudr.no_production_date", plot=plot),
                                 "EUDR-PRODUCTION-DATE"))
    legal_plot = _column(plots, "legality_evidence")
    legal_actor = dict(zip(chain.actors["id"], _column(chain.actors, "legality_evidence")))
    for plot, a, actor in zip(plots["plot_id"], legal_plot, plots["actor_id"]):
        if plot not in blocked and not a and not legal_actor.get(actor):
            missing.append(_item("legality_evidence", None, Phrase("eudr.no_legality", plot=plot),
                                 "EUDR-LEGALITY-EVIDENCE"))
    for plot in good.loc[good["forest_loss_ha_after_2020"].isna(), "plot_id"]:
        missing.append(_item("deforestation_free_evidence", None, Phrase("eudr.no_forest_record", plot=plot,
                                                                         cutoff=CUTOFF),
                             "EUDR-DEFORESTATION-FREE-EVIDENCE"))
    for actor in origins.index[origins["country"].map(_text).isna()]:
        missing.append(_item("country_of_production", actor, Phrase("eudr.no_country", actor=actor),
                             "EUDR-COUNTRY-OF-PRODUCTION"))
    commodities = _commodity_table(placed if len(placed) else flows[flows["target"] == node])
    for row in commodities.itertuples(index=False):
        if row.flows_without_net_mass:
            missing.append(_item("quantity", None, Phrase("eudr.no_mass", count=int(row.flows_without_net_mass),
                                                          commodity=row.commodity), "EUDR-QUANTITY-NET-MASS"))
        if row.matched_on == "commodity":
            missing.append(_item("hs_code", None, Phrase("eudr.no_hs_code", commodity=row.commodity, codes=row.hs_codes),
                                 "EUDR-HS-CODE"))
    for supplier in sorted(set(placed["source"])):
        gaps = [f for f in ("address", "email") if f not in actors.columns or not _text(actors.loc[supplier, f])]
        if gaps:
            missing.append(_item("supplier", supplier, _no_contact(Phrase("eudr.supplier", actor=supplier), gaps),
                                 "EUDR-SUPPLIERS"))
    customers = sorted(set(chain.flows.loc[chain.flows["source"] == node, "target"]))
    for customer in customers:
        gaps = [f for f in ("address", "email") if f not in actors.columns or not _text(actors.loc[customer, f])]
        if gaps:
            missing.append(_item("customer", customer, _no_contact(Phrase("eudr.customer", actor=customer), gaps),
                                 "EUDR-CUSTOMERS"))

    benchmark = eudr_benchmark()
    production = (origins.groupby(["eudr_commodity", "country"]).agg(share=("weight", "sum"), producers=("name",
                                                                                                         "size"))
                  .reset_index().rename(columns={"eudr_commodity": "commodity"}))
    production["benchmark"] = production["country"].map(lambda c: benchmark.get(c, "standard"))
    blocking_frame = frame_with_phrases(blocking, BLOCKING_COLUMNS, ["reason"])
    origin_unknown = any(m["item"] == "origin" for m in missing)
    risk = {
        "countries": production[["commodity", "country", "benchmark", "share"]].to_dict("records"),
        "simplified_due_diligence_possible": bool(len(production)) and bool((production["benchmark"] == "low").all())
        and blocking_frame.empty and not origin_unknown,
        "simplified_due_diligence_rule": "EUDR-SIMPLIFIED-DD (" + article("eudr", "EUDR-SIMPLIFIED-DD") + ")",
        "rule_id": "EUDR-RISK-ASSESSMENT", "article": article("eudr", "EUDR-RISK-ASSESSMENT"),
        "cattle_establishments": int(plots["establishment"].sum()),
        "cattle_establishment_rule": "EUDR-CATTLE-ESTABLISHMENT (" + article("eudr", "EUDR-CATTLE-ESTABLISHMENT") + ")",
        "plots_checked": int(len(plots)), "plots_exported": int(len(good)),
        "plots_blocked": int(len(blocked)),
        "plots_with_forest_loss_after_cutoff": int((loss.fillna(0) > 0).sum()),
    }
    information = _information(commodities, production, good, blocking_frame, missing, customers, placed)
    return EudrStatement(
        node=node, year=year, role=role, commodities=commodities, production=production, plots=good,
        blocking=blocking_frame, warnings=pd.DataFrame(warnings, columns=WARNING_COLUMNS), information=information,
        missing=frame_with_phrases(missing, ITEM_COLUMNS, ["detail"]), risk=risk,
        geojson={"type": "FeatureCollection", "features": features},
    )


def _blocking(plot, actor, origins: pd.DataFrame, reason: str, rule_id: str) -> dict:
    known = actor is not None and actor in origins.index
    return {"plot": plot, "actor": actor, "producer": str(origins.loc[actor, "name"]) if known else None,
            "country": origins.loc[actor, "country"] if known else None,
            "commodity": origins.loc[actor, "eudr_commodity"] if known else None,
            "share": float(origins.loc[actor, "weight"]) if known else np.nan, "reason": reason, "rule_id": rule_id,
            "article": article("eudr", rule_id)}


#: The Art. 9(1) points, the rule that checks each and the missing items it covers.
INFORMATION = [
    ("description and trade name", "EUDR-HS-CODE", ("hs_code",)),
    ("quantity (kg net mass)", "EUDR-QUANTITY-NET-MASS", ("quantity",)),
    ("country of production", "EUDR-COUNTRY-OF-PRODUCTION", ("country_of_production",)),
    ("geolocation of all plots", "EUDR-NO-GEOLOCATION", ("origin",)),
    ("date or period of production", "EUDR-PRODUCTION-DATE", ("production_date",)),
    ("suppliers", "EUDR-SUPPLIERS", ("supplier",)),
    ("customers", "EUDR-CUSTOMERS", ("customer",)),
    ("deforestation-free evidence", "EUDR-DEFORESTATION-FREE-EVIDENCE", ("deforestation_free_evidence",)),
    ("legality evidence", "EUDR-LEGALITY-EVIDENCE", ("legality_evidence",)),
]


def _information(commodities, production, good, blocking: pd.DataFrame, missing: list[dict], customers,
                 placed) -> pd.DataFrame:
    rows = []
    for item, rule_id, kinds in INFORMATION:
        gaps = [m for m in missing if m["item"] in kinds]
        if item == "geolocation of all plots":
            gaps += blocking[blocking["rule_id"].isin(["EUDR-NO-GEOLOCATION", "EUDR-GEOLOCATION-FAILED"])].to_dict(
                "records")
        status = "missing" if gaps else "complete"
        detail = Phrase("eudr.gaps", count=len(gaps)) if gaps else {
            "description and trade name": Phrase("eudr.products", count=len(commodities), products="; ".join(
                f"{c} ({h})" for c, h in zip(commodities['commodity'], commodities['hs_codes']))),
            "quantity (kg net mass)": f"{commodities['quantity_kg'].sum():g} kg",
            "country of production": ", ".join(sorted(set(production["country"].dropna()))),
            "geolocation of all plots": Phrase("eudr.plots_exported", count=len(good)),
            "customers": Phrase("eudr.customers", count=len(customers)),
        }.get(item, Phrase("eudr.recorded"))
        rows.append({"item": item, "article": article("eudr", rule_id), "rule_id": rule_id, "status": status,
                     "detail": detail})
    return frame_with_phrases(rows, ["item", "article", "rule_id", "status", "detail"], ["detail"])


__all__ = ["CUTOFF", "EudrRole", "EudrStatement", "TEXT_RELIED_ON", "annex_i", "dump_geojson", "eudr_role",
           "eudr_statement", "geometry_2d", "hs_codes", "in_scope_flows", "resolve_product"]
