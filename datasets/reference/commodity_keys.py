"""Commodity keys and aliases for the reference tables (used by build_scores.py).

DOL good names and EUDR commodity names are normalised to lower snake_case keys; English and
Dutch supplier-list wording maps to those keys.  See SOURCES.md, sections 3 and 4.
"""
from __future__ import annotations

import re
import sys
import unicodedata

import pandas as pd

# ---------------------------------------------------------------------------------------------
# Commodity keys and aliases
# ---------------------------------------------------------------------------------------------
KEY_RE = re.compile(r"^[a-z][a-z0-9_]*$")

# DOL good names whose key is not simply the name without its parenthetical note.
DOL_KEY_OVERRIDES = {
    "Palm Fruit": ["oil_palm"],
    "Oil (Palm)": ["oil_palm"],
    "Beans (green, soy, yellow)": ["beans", "soya"],
    "Soy": ["soya"], "Soybeans": ["soya"],
    "Cattle": ["cattle"], "Beef": ["cattle"], "Bovines": ["cattle"],
    "Timber": ["wood"],
    "Tin ore (cassiterite)": ["tin"],
    "Tantalum ore (coltan)": ["tantalum"],
    "Tungsten ore (wolframite)": ["tungsten"],
    "Cobalt ore (heterogenite)": ["cobalt"],
    "Gravel (crushed stones)": ["gravel"],
    "Stones (limestone)": ["limestone"],
    "Stones (pumice)": ["pumice"],
    "Furniture (steel)": ["steel_furniture"],
    "Khat/Miraa (stimulant plant)": ["khat"],
    "Manioc/Cassava": ["cassava"],
    "Brazil Nuts/Chestnuts": ["brazil_nuts"],
    "Leather Goods/Accessories": ["leather_goods"],
    "Thread/Yarn": ["yarn"],
    "Fruit (Pome and Stone)": ["pome_and_stone_fruit"],
    "Pyrotechnics": ["fireworks"],
    "Sugar Beets": ["sugar_beets"],
}

# Keys that are, or fall under, an EUDR relevant commodity (Regulation (EU) 2023/1115 Art. 2(1)
# and Annex I).  eudr_commodity uses the normalised key of the Art. 2(1) commodity.
KEY_EUDR = {
    "cattle": "cattle", "leather": "cattle",                       # 0102, 0201/0202, ex4101/4104/4107
    "cocoa": "cocoa", "coffee": "coffee", "oil_palm": "oil_palm",
    "rubber": "rubber", "rubber_gloves": "rubber",                 # 4001, ex4015
    "soya": "soya",
    "wood": "wood", "teak": "wood", "charcoal": "wood",            # 4403/4407, 4402
    "furniture": "wood", "paper": "wood",                          # 9401/9403 (wooden), ch. 47/48
}


def ascii_fold(s: str) -> str:
    return unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()


def good_keys(good: str) -> list[str]:
    if good in DOL_KEY_OVERRIDES:
        return DOL_KEY_OVERRIDES[good]
    base = re.sub(r"\s*\(.*?\)\s*", " ", good)           # drop parenthetical qualifier
    key = re.sub(r"[^a-z0-9]+", "_", ascii_fold(base).lower()).strip("_")
    return [key]


# alias -> key.  English and Dutch terms as written in supplier lists.  Every key maps to
# itself automatically, and every DOL good name (lower case) maps to its key.
ALIASES = {
    # EUDR: oil palm
    "oil_palm": ["palm oil", "oil palm", "palm", "palm fruit", "fresh fruit bunches", "ffb",
                 "crude palm oil", "cpo", "palm kernel", "palm kernels", "palm kernel oil",
                 "palm kernel expeller", "palm olein", "palm stearin", "palmolie", "palmpitolie",
                 "palmpitten", "oliepalm", "palmvruchten", "ruwe palmolie"],
    # EUDR: soya
    "soya": ["soy", "soya", "soybean", "soybeans", "soya beans", "soy beans", "soybean meal",
             "soy meal", "soya meal", "soybean oil", "soy oil", "soya oil", "soja", "sojabonen",
             "sojaboon", "sojaschroot", "sojameel", "sojaolie"],
    # EUDR: cocoa
    "cocoa": ["cacao", "cocoa beans", "cacao beans", "cocoa butter", "cocoa powder", "cocoa paste",
              "cocoa liquor", "chocolate", "cacaobonen", "cacaoboter", "cacaopoeder",
              "cacaomassa", "chocolade"],
    # EUDR: coffee
    "coffee": ["coffee beans", "green coffee", "roasted coffee", "koffie", "koffiebonen",
               "groene koffie"],
    # EUDR: cattle
    "cattle": ["beef", "cow", "cows", "bovine", "bovines", "live cattle", "veal", "rundvee",
               "rundvlees", "runderen", "koeien", "kalfsvlees", "vee"],
    "leather": ["hides", "bovine leather", "cattle hides", "leer", "huiden", "rundleer",
                "runderhuiden"],
    # EUDR: rubber
    "rubber": ["natural rubber", "latex", "tyres", "tires", "natuurrubber", "banden"],
    "rubber_gloves": ["latex gloves", "rubberhandschoenen"],
    # EUDR: wood
    "wood": ["timber", "lumber", "logs", "sawnwood", "sawn wood", "plywood", "tropical hardwood",
             "hardwood", "wood products", "hout", "houtproducten", "gezaagd hout", "rondhout",
             "triplex", "tropisch hardhout", "hardhout"],
    "teak": ["teak wood", "teakhout"],
    "charcoal": ["houtskool"],
    "furniture": ["wooden furniture", "meubels", "meubilair", "houten meubels"],
    "paper": ["pulp", "pulp and paper", "cardboard", "paperboard", "papier", "karton", "pulp en papier",
              "papierpulp"],
    # natural stone
    "stones": ["natural stone", "stone", "dimension stone", "cobblestones", "setts", "marble",
               "slate", "quartzite", "basalt", "paving stones", "natuursteen", "kasseien", "marmer", "leisteen",
               "kwartsiet", "basalt steen"],
    "granite": ["graniet", "granite slabs", "granietplaten"],
    "sandstone": ["zandsteen"],
    "limestone": ["kalksteen", "hardsteen", "blauwe hardsteen", "belgian bluestone"],
    "gravel": ["crushed stone", "aggregates", "grind", "steenslag"],
    "pumice": ["puimsteen"],
    "bricks": ["brick", "clay bricks", "baksteen", "bakstenen"],
    # textiles
    "cotton": ["raw cotton", "cotton lint", "cotton fibre", "cotton fiber", "seed cotton", "katoen",
               "ruwe katoen", "katoenvezel", "biokatoen", "organic cotton"],
    "cottonseed": ["cotton seed", "katoenzaad"],
    "yarn": ["thread", "cotton yarn", "garen", "katoengaren", "draad"],
    "textiles": ["textile", "fabric", "fabrics", "woven fabric", "knitted fabric", "textiel",
                 "weefsel", "stoffen"],
    "garments": ["apparel", "clothing", "clothes", "kleding", "kledingstukken", "confectie"],
    "footwear": ["shoes", "sandals", "schoenen", "schoeisel", "sandalen"],
    "silk_fabric": ["silk", "zijde"],
    # minerals and metals
    "gold": ["goud", "gold bullion", "gold bars", "gold dore", "gold doré", "dore", "doré",
             "gold jewellery", "gold jewelry", "goudbaren", "gouden sieraden", "scrap gold",
             "oud goud"],
    "silver": ["zilver"],
    "tin": ["tin ore", "cassiterite", "cassiteriet", "tinerts"],
    "tantalum": ["coltan", "tantalum ore", "tantaal"],
    "tungsten": ["wolframite", "tungsten ore", "wolfraam", "wolframiet"],
    "cobalt": ["kobalt", "cobalt ore"],
    "mica": ["mica flakes", "mica poeder"],
    "coal": ["steenkool", "kolen"],
    "diamonds": ["diamond", "diamant", "diamanten"],
    "gems": ["gemstones", "edelstenen"],
    # food and agriculture
    "bananas": ["banana", "bananen", "banaan"],
    "sugarcane": ["sugar cane", "cane sugar", "suikerriet", "rietsuiker"],
    "sugar_beets": ["sugar beet", "beet sugar", "suikerbiet", "suikerbieten", "bietsuiker"],
    "tea": ["thee"],
    "rice": ["rijst"],
    "hazelnuts": ["hazelnut", "hazelnoten", "hazelnoot"],
    "cashews": ["cashew", "cashew nuts", "cashewnoten"],
    "vanilla": ["vanille"],
    "tobacco": ["tabak"],
    "shrimp": ["prawns", "garnalen"],
    "fish": ["vis"],
    "tomatoes": ["tomato", "tomaten"],
    "coconuts": ["coconut", "kokosnoten", "kokosnoot"],
    "citrus_fruits": ["citrus", "oranges", "citrusvruchten", "sinaasappels"],
    "grapes": ["druiven"],
    "strawberries": ["aardbeien"],
    "blueberries": ["blauwe bessen"],
    "olives": ["olijven", "olive oil", "olijfolie"],
    "peanuts": ["groundnuts", "pinda's", "pindas", "aardnoten"],
    "sesame": ["sesame seeds", "sesamzaad"],
    "cumin": ["komijn"],
    "cloves": ["kruidnagel"],
    "pepper": ["black pepper", "zwarte peper"],
    "wheat": ["tarwe"],
    "corn": ["maize", "mais", "maïs"],
    "potatoes": ["aardappelen"],
    "onions": ["uien"],
    "garlic": ["knoflook"],
    "poultry": ["chicken", "pluimvee", "kip"],
    "dairy_products": ["dairy", "milk", "zuivel", "melk"],
    "hogs": ["pigs", "pork", "varkens", "varkensvlees"],
    "sheep": ["schapen"],
    "goats": ["geiten"],
    "cassava": ["manioc", "maniok", "cassave"],
    "brazil_nuts": ["brazil nut", "paranoten"],
    "carpets": ["rugs", "tapijten", "vloerkleden"],
    "fireworks": ["vuurwerk"],
    "matches": ["lucifers"],
    "glass": ["glas"],
    "toys": ["speelgoed"],
    "electronics": ["elektronica"],
    "polysilicon": ["solar polysilicon"],
    "jute": ["jute bags"],
    "salt": ["zout"],
}


def build_aliases(dol: pd.DataFrame, eudr_names: list[str]):
    keys: set[str] = set()
    pairs: dict[str, str] = {}

    def add(alias: str, key: str):
        a = alias.strip().lower()
        if not a:
            return
        if a in pairs and pairs[a] != key:
            sys.exit(f"alias conflict: {a!r} -> {pairs[a]} and {key}")
        pairs[a] = key

    good_map = {}
    for good in sorted(dol["good"].unique()):
        ks = good_keys(good)
        good_map[good] = ks
        keys.update(ks)
    eudr_keys = {}
    for name in eudr_names:
        k = good_keys(name)[0]
        eudr_keys[name] = k
        keys.add(k)
    keys.update(KEY_EUDR)
    keys.update(ALIASES)
    for k in keys:
        if not KEY_RE.match(k):
            sys.exit(f"bad commodity key {k!r}")
        add(k, k)
        add(k.replace("_", " "), k)
    for good, ks in good_map.items():
        add(good, ks[0])
        add(ascii_fold(good), ks[0])
    for name, k in eudr_keys.items():
        add(name, k)
    for k, al in ALIASES.items():
        for a in al:
            add(a, k)
    df = pd.DataFrame(sorted(pairs.items()), columns=["alias", "commodity"])
    df["eudr_commodity"] = df["commodity"].map(KEY_EUDR).fillna("")
    return df, good_map, eudr_keys
