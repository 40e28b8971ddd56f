"""Importers: the files members really have → the data contract.

One module per format (``open_supply_hub``, ``cmrt``, ``rmi``, ``suppliers``, ``trase``), the
shared vocabulary of facility types (``vocabulary``) and entity matching (``match``).

Each importer maps a third-party format onto actors (and flows where the file
says who supplies whom) and then passes the mapped rows through the one
validation path, :func:`riskgraph.chain.validate.validate_tables`, with the row
numbers the user sees in the file. Rows that cannot even be mapped (a CMRT
row without a metal, a smelter that is "not yet identified") go to an
importer-level quarantine with the same columns. Nothing is dropped silently:
for every table, rows in = accepted + quarantined (fully empty rows are
counted apart as ``empty_rows``).

=====================================  ==========================================
:func:`read_open_supply_hub`           Open Supply Hub facility export (CSV)
:func:`read_cmrt`                      RMI Conflict Minerals Reporting Template
                                       (6.x, and the legacy CFSI 3.01 layout)
:func:`read_rmi_smelter_list`          RMI smelter/refiner reference list
:func:`read_supplier_list`             plain supplier / factory lists (CSV, .xlsx,
                                       legacy .xls), header row detected
:func:`read_whisp`                     Whisp (FAO Open Foris) result tables → plot
                                       forest properties; :func:`merge_whisp`
:func:`read_trase`                     Trase supply-chain downloads (production →
                                       exporter → importer, volume and FOB)
:func:`read_trase_cooperatives`        Trase cocoa cooperatives map and company
                                       disclosures (cooperatives and buyers)
=====================================  ==========================================

Ids
---
Actors from an Open Supply Hub export take their ``os_id`` as id; smelters
from a CMRT their RMI id (``CID000123``). Actors from a plain supplier list
get a deterministic id from name and country (:func:`actor_id`), so the same
supplier spelled the same way gets the same id in every member's list; when
one file holds two suppliers with the same name in the same country (two
factories of one group), their address, city and postal code are added to
the key to keep them apart. Spelling variants across members are the job of
:mod:`riskgraph.sources.match`.

Stages
------
A facility's stage is inferred from its facility/process type where the
words allow it (:data:`FACILITY_STAGES`, per sector; a facility doing
several steps gets the most downstream one, its output), else taken from the
``stage`` argument, else the row is reported (``unknown_stage``) with the
type text the file gave.
"""
from riskgraph.sources._common import ImportReason, actor_id, cell_text, country_code
from riskgraph.sources.cmrt import CmrtReport, cmrt_tables, compare_with_rmi, read_cmrt
from riskgraph.sources.open_supply_hub import read_open_supply_hub
from riskgraph.sources.rmi import read_rmi_smelter_list
from riskgraph.sources.suppliers import SUPPLIER_HEADERS, read_supplier_list
from riskgraph.sources.trase import read_trase, read_trase_cooperatives, trase_volumes
from riskgraph.sources.vocabulary import FACILITY_STAGES, infer_sector, infer_stage
from riskgraph.sources.whisp import WhispTable, merge_whisp, read_whisp

__all__ = [
    "CmrtReport",
    "FACILITY_STAGES",
    "ImportReason",
    "SUPPLIER_HEADERS",
    "WhispTable",
    "actor_id",
    "cell_text",
    "cmrt_tables",
    "compare_with_rmi",
    "country_code",
    "infer_sector",
    "infer_stage",
    "merge_whisp",
    "read_cmrt",
    "read_open_supply_hub",
    "read_rmi_smelter_list",
    "read_supplier_list",
    "read_trase",
    "read_trase_cooperatives",
    "read_whisp",
    "trase_volumes",
]
