"""Publishable outputs: Excel risk-matrix workbooks and the self-contained HTML report.

``excel`` writes the workbooks a federation hands around, ``html`` the report
(templates in ``templates/``), ``sankey`` the flow diagram, ``labels`` the
English and Dutch texts.
"""
from riskgraph.report.excel import colour_scale, matrix_workbook, publication_workbook
from riskgraph.report.html import heat_colour, hotspot_table, html_report
from riskgraph.report.labels import labels, stage_label, theme_label
from riskgraph.report.sankey import sankey_links, sankey_svg

__all__ = [
    "colour_scale", "heat_colour", "hotspot_table", "html_report", "labels", "matrix_workbook",
    "publication_workbook", "sankey_links", "sankey_svg", "stage_label", "theme_label",
]
