"""Rebuild all four sector datasets (gold, natural_stone, textiles, food) in ``datasets/``.

Run from the repository root: ``python tools/datasets/build_datasets.py``; then
``python tools/datasets/check_datasets.py`` to validate them and list the
documented situations. Each builder uses its own fixed seed, so the files are
identical on every run.
"""
from __future__ import annotations

import build_food
import build_food_forest
import build_gold
import build_natural_stone
import build_textiles

if __name__ == "__main__":
    for module in (build_gold, build_natural_stone, build_textiles, build_food, build_food_forest):
        module.build()
