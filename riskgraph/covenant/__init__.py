"""For covenant secretariats: merging members' chains, k-anonymous publication, monitoring, year over year.

``secretariat`` merges members and publishes; ``monitor`` follows covenant
progress per member and year; ``diff`` compares two submissions.
"""
