"""Geography: offline places, EUDR plot geolocation checks and offline maps.

``places`` answers "which country is this coordinate in?" from a bundled table
of populated places; ``plots`` reads plot files and runs the EUDR geolocation
rules (``rules`` lists them with their codes and severities); ``maps`` draws
self-contained SVG maps.
"""
