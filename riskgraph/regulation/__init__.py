"""Views of a chain under the laws: the EUDR (``eudr``), the EU conflict-minerals regulation
(``minerals``) and the Dutch Child Labour Due Diligence Act statement (``statement``).
"""
