"""For covenant secretariats: merging members' chains, publication under disclosure control, monitoring, year over year.

``secretariat`` merges members and publishes; ``disclosure`` holds the rules
of what may be published (threshold, dominance, secondary suppression, the
release ledger) and ``audit`` replays the differencing attacks on
publications; ``monitor`` follows covenant progress per member and year;
``diff`` compares two submissions.
"""
