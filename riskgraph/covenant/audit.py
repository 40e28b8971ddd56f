"""Replay the disclosure attacks on a set of publications: what would a reader learn by subtracting?

A reader holding two releases of a covenant's sector picture whose member
sets differ by fewer than k members subtracts one from the other and gets
the figures of the members in between: their share in every matrix cell,
their volume on every Sankey link, the locations they source from (from the
members per cell). This is the differencing attack of Hundepool et al.,
*Statistical Disclosure Control* (Wiley 2012), §4.6, and of the ESSnet
*Handbook on Statistical Disclosure Control* (2010), §4.3.4. The audit
replays it on every pair of publications, and checks each publication on
its own (totals with fewer than k members, member counts below k). A figure
published in one release and not in the other is not counted: withheld and
empty cells look alike, so its absence does not say why it is absent.

Publications are read back from what ``secretariat publish`` wrote: the
``.json`` file, the data embedded in the ``.html`` report, or the ``figures``
and ``release`` sheets of the ``.xlsx`` workbook.
"""
from __future__ import annotations

import html as _html
import json
import re
from itertools import combinations
from pathlib import Path

import pandas as pd

from riskgraph.errors import InputError

LEAK_COLUMNS = ["publication", "compared_with", "figure", "attack", "detail"]
_EMBEDDED = re.compile(r'<script type="application/json" id="riskgraph-publication">(.*?)</script>', re.S)


def read_publication(path: Path | str) -> dict:
    """The published figures and member set of one publication (``.json``, ``.html`` or ``.xlsx``)."""
    path = Path(path)
    if not path.is_file():
        raise InputError("no such publication", path=path)
    suffix = path.suffix.lower()
    try:
        if suffix == ".json":
            data = json.loads(path.read_text(encoding="utf-8"))
        elif suffix in (".html", ".htm"):
            found = _EMBEDDED.search(path.read_text(encoding="utf-8"))
            if not found:
                raise InputError("holds no riskgraph publication data (was it written by 'secretariat publish'?)",
                                 path=path)
            data = json.loads(_html.unescape(found.group(1)) if "&quot;" in found.group(1) else found.group(1))
        elif suffix == ".xlsx":
            data = _from_workbook(path)
        else:
            raise InputError(f"cannot audit '{suffix or path.name}': give .json, .html or .xlsx publications",
                             path=path)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"is not a readable publication ({str(exc).splitlines()[0]})", path=path) from None
    if not isinstance(data, dict) or not str(data.get("format", "")).startswith("riskgraph-publication/"):
        raise InputError("is not a riskgraph publication", path=path)
    data["figures"] = {str(k): str(v) for k, v in dict(data.get("figures") or {}).items()}
    data["members"] = sorted(str(m) for m in data.get("members") or [])
    data["k"] = int(data.get("k") or 1)
    return data


def _from_workbook(path: Path) -> dict:
    from riskgraph.chain.limits import check_workbook

    check_workbook(path)
    try:
        sheets = pd.read_excel(path, sheet_name=["figures", "release"], dtype=str, engine="calamine",
                               keep_default_na=False)
    except Exception as exc:  # a workbook without the sheets, or a damaged one
        raise InputError(f"has no readable 'figures' and 'release' sheets ({str(exc).splitlines()[0]})",
                         path=path) from None
    release = dict(zip(sheets["release"]["field"], sheets["release"]["value"]))
    return {"format": release.get("format", ""), "k": release.get("k", "1"),
            "members": [m for m in release.get("members", "").split(";") if m],
            "figures": dict(zip(sheets["figures"]["figure"], sheets["figures"]["value"]))}


def _lower_band(text: str) -> int | None:
    match = re.match(r"(\d+)", text)
    return int(match.group(1)) if match else None


def audit(paths) -> pd.DataFrame:
    """What the publications leak: one row per figure a reader could recover.

    Returns
    -------
    DataFrame
        ``publication, compared_with, figure, attack, detail``; empty when
        nothing leaks.
    """
    publications = [(Path(p).name, read_publication(p)) for p in paths]
    leaks = []
    for name, data in publications:
        k = data["k"]
        if len(data["members"]) < k and any(key.startswith("total|") for key in data["figures"]):
            leaks.append({"publication": name, "compared_with": None, "figure": "total|…", "attack": "totals",
                          "detail": f"totals published with {len(data['members'])} members, fewer than k = {k}"})
        for key, value in data["figures"].items():
            if key.startswith("members|") and (_lower_band(value) or k) < k:
                leaks.append({"publication": name, "compared_with": None, "figure": key, "attack": "threshold",
                              "detail": f"{value} members, fewer than k = {k}"})
    for (name_a, a), (name_b, b) in combinations(publications, 2):
        apart = set(a["members"]) ^ set(b["members"])
        k = min(a["k"], b["k"])
        if not apart or len(apart) >= k:
            continue
        who = ", ".join(sorted(apart))
        for key in sorted(set(a["figures"]) & set(b["figures"])):
            if a["figures"][key] != b["figures"][key]:
                leaks.append({"publication": name_a, "compared_with": name_b, "figure": key, "attack": "differencing",
                              "detail": f"{a['figures'][key]} vs {b['figures'][key]}: the difference is the figure "
                                        f"of {len(apart)} member(s) ({who}), fewer than k = {k}"})
    return pd.DataFrame(leaks, columns=LEAK_COLUMNS)


__all__ = ["LEAK_COLUMNS", "audit", "read_publication"]
