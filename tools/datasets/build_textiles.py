"""Build ``datasets/textiles``: cotton farms → ginners → spinners → weavers/knitters → wet processors
→ garment makers → Dutch brands → retailers.

Run from the repository root: ``python tools/datasets/build_textiles.py``.
Deterministic (seed below). Volumes are tonnes: seed cotton from farms, lint
from ginners, yarn from spinners, fabric from weavers and wet processors,
garments from garment makers and brands. See ``datasets/textiles/README.md``.
"""
from __future__ import annotations

from chainkit import ROOT, ChainBuilder, Place, summary, write_chain

SEED = 20240503
OUT = ROOT / "datasets" / "textiles"
FAMILY = "cotton"
STAGES = ["cotton_farm", "ginner", "spinner", "weaver_knitter", "wet_processor", "garment_maker", "brand", "retailer"]
CODES = {"cotton_farm": "FRM", "ginner": "GIN", "spinner": "SPN", "weaver_knitter": "WVK", "wet_processor": "WET",
         "garment_maker": "GMT", "brand": "BRD", "retailer": "RTL"}
#: what leaves each stage (flows.commodity) and what an actor of that stage handles (actors.commodity)
PRODUCT = {"cotton_farm": "seed_cotton", "ginner": "cotton_lint", "spinner": "yarn", "weaver_knitter": "fabric",
           "wet_processor": "fabric", "garment_maker": "garments", "brand": "garments"}
ACTOR_COMMODITY = {"cotton_farm": "cotton", "ginner": "cotton", "spinner": "yarn", "weaver_knitter": "textiles",
                   "wet_processor": "textiles", "garment_maker": "garments", "brand": "garments", "retailer": "garments"}

# Cotton origins: (place, number, median t seed cotton per year). In India and Pakistan an origin actor is a
# farmer producer company or producer group pooling the crop of hundreds of smallholders; elsewhere it is one
# farm. Medians are chosen so that the origins' totals follow their share of world cotton production.
FARMS = [
    (Place("IN", "Gujarat, Rajkot", 22.30, 70.80, 0.15), 4, 380),
    (Place("IN", "Gujarat, Amreli", 21.60, 71.22, 0.15), 4, 380),
    (Place("IN", "Gujarat, Surendranagar", 22.73, 71.64, 0.15), 3, 340),
    (Place("IN", "Gujarat, Bhavnagar", 21.76, 72.00, 0.12), 3, 340),
    (Place("IN", "Maharashtra, Yavatmal", 20.39, 78.12, 0.15), 4, 300),
    (Place("IN", "Maharashtra, Akola", 20.70, 77.00, 0.12), 3, 320),
    (Place("IN", "Maharashtra, Wardha", 20.74, 78.60, 0.12), 3, 300),
    (Place("IN", "Maharashtra, Jalgaon", 21.00, 75.56, 0.12), 2, 320),
    (Place("CN", "Xinjiang, Aksu", 41.17, 80.26, 0.20), 4, 650),
    (Place("CN", "Xinjiang, Bayingolin (Korla)", 41.76, 86.15, 0.20), 3, 600),
    (Place("CN", "Xinjiang, Kashgar (Bachu)", 39.79, 78.55, 0.20), 3, 450),
    (Place("CN", "Xinjiang, Shihezi", 44.30, 86.04, 0.10), 2, 900),
    (Place("CN", "Xinjiang, Changji (Manas)", 44.30, 86.21, 0.10), 2, 700),
    (Place("US", "Texas, Lubbock County", 33.58, -101.86, 0.20), 3, 420),
    (Place("US", "Texas, Dawson County (Lamesa)", 32.74, -101.95, 0.15), 2, 350),
    (Place("US", "Texas, Hale County (Plainview)", 34.18, -101.71, 0.15), 2, 400),
    (Place("US", "Texas, Terry County (Brownfield)", 33.18, -102.27, 0.12), 1, 350),
    (Place("US", "Texas, Nueces County (Robstown)", 27.79, -97.67, 0.12), 2, 450),
    (Place("UZ", "Fergana", 40.38, 71.79, 0.08), 2, 250),
    (Place("UZ", "Kashkadarya", 38.86, 65.79, 0.15), 2, 280),
    (Place("UZ", "Bukhara", 39.77, 64.42, 0.15), 2, 250),
    (Place("UZ", "Syrdarya", 40.49, 68.78, 0.12), 2, 220),
    (Place("TR", "Sanliurfa (Harran)", 36.86, 39.03, 0.15), 4, 200),
    (Place("TR", "Aydin (Soke)", 37.75, 27.41, 0.08), 2, 180),
    (Place("TR", "Adana (Cukurova)", 37.00, 35.32, 0.12), 2, 200),
    (Place("TR", "Diyarbakir (Bismil)", 37.85, 40.67, 0.10), 2, 180),
    (Place("PK", "Punjab, Multan", 30.20, 71.47, 0.12), 3, 240),
    (Place("PK", "Punjab, Bahawalpur", 29.40, 71.68, 0.12), 2, 220),
    (Place("PK", "Punjab, Rahim Yar Khan", 28.42, 70.30, 0.10), 2, 240),
    (Place("PK", "Punjab, Vehari", 30.04, 72.35, 0.10), 2, 220),
    (Place("PK", "Sindh, Sanghar", 26.05, 68.95, 0.10), 2, 250),
    (Place("BR", "Mato Grosso, Sapezal", -13.54, -58.82, 0.15), 1, 1100),
    (Place("BR", "Mato Grosso, Campo Verde", -15.54, -55.16, 0.15), 1, 900),
    (Place("BR", "Bahia, Sao Desiderio", -12.36, -44.97, 0.15), 2, 1000),
]
FARM_NAMES = {"IN": "{stem} Farmer Producer Company Ltd", "CN": "{stem} Cotton Planting Cooperative",
              "US": "{stem} Farms LLC", "UZ": "{stem} Fermer Xo'jaligi", "TR": "{stem} Tarim Isletmesi",
              "PK": "{stem} Cotton Growers Group", "BR": "Fazenda {stem}"}


def P(country, region, lat, lon, spread=0.03):
    return Place(country, region, lat, lon, spread)


def build() -> None:
    b = ChainBuilder("textiles", "TEX", SEED, unit="t", decimals=1, stage_codes=CODES, stage_order=STAGES,
                     chain_starts={"cotton_farm"})
    rng = b.rng
    stem = b.names.stem

    def many(stage, place, template, n, yield_, keep):
        return [b.actor(stage, place, template.format(stem=stem()), commodity=ACTOR_COMMODITY[stage],
                        yield_=yield_, keep=keep) for _ in range(n)]

    # ------------------------------------------------------------------ farms
    farms: dict[str, list[str]] = {}
    seed_t: dict[str, float] = {}
    for place, count, median in FARMS:
        for _ in range(count):
            f = b.actor("cotton_farm", place, FARM_NAMES[place.country].format(stem=stem()), commodity="cotton")
            farms.setdefault(place.region, []).append(f)
            seed_t[f] = float(median * rng.lognormal(0, 0.35))

    def farms_in(*prefixes):
        return [f for r, ids in farms.items() if r.startswith(prefixes) for f in ids]

    # ------------------------------------------------------------------ ginners (yield = lint out-turn)
    g_guj = many("ginner", P("IN", "Gujarat, Rajkot", 22.30, 70.80), "{stem} Cotton Ginning & Pressing", 2, 0.34, 0.9) + \
        many("ginner", P("IN", "Gujarat, Amreli", 21.60, 71.22), "{stem} Ginning Factory", 1, 0.34, 0.9) + \
        many("ginner", P("IN", "Gujarat, Mehsana (Kadi)", 23.30, 72.33), "{stem} Cotton Industries", 1, 0.34, 0.9)
    g_mh = many("ginner", P("IN", "Maharashtra, Yavatmal", 20.39, 78.12), "{stem} Ginning Mills", 1, 0.34, 0.9) + \
        many("ginner", P("IN", "Maharashtra, Akola", 20.70, 77.00), "{stem} Cotex", 1, 0.34, 0.9) + \
        many("ginner", P("IN", "Maharashtra, Jalgaon", 21.00, 75.56), "{stem} Cotton Ginning", 1, 0.34, 0.9)
    g_cn = many("ginner", P("CN", "Xinjiang, Aksu", 41.17, 80.26), "Aksu {stem} Cotton Co., Ltd.", 2, 0.40, 0.9) + \
        many("ginner", P("CN", "Xinjiang, Korla", 41.76, 86.15), "Korla {stem} Cotton Co., Ltd.", 1, 0.40, 0.9) + \
        many("ginner", P("CN", "Xinjiang, Kashgar", 39.47, 75.99), "Kashgar {stem} Cotton Co., Ltd.", 1, 0.40, 0.9) + \
        many("ginner", P("CN", "Xinjiang, Shihezi", 44.30, 86.04), "Shihezi {stem} Cotton Co., Ltd.", 1, 0.40, 0.9)
    g_us = many("ginner", P("US", "Texas, Lubbock", 33.58, -101.86), "{stem} Co-op Gin", 2, 0.38, 0.9) + \
        many("ginner", P("US", "Texas, Lamesa", 32.74, -101.95), "{stem} Gin Inc.", 1, 0.38, 0.9) + \
        many("ginner", P("US", "Texas, Robstown", 27.79, -97.67), "{stem} Gin Co.", 1, 0.38, 0.9)
    g_uz = [b.actor("ginner", P("UZ", r, la, lo), f"{stem()} Paxta Tozalash", commodity="cotton", yield_=0.35, keep=0.9)
            for r, la, lo in [("Fergana", 40.38, 71.79), ("Kashkadarya (Karshi)", 38.86, 65.79),
                              ("Bukhara", 39.77, 64.42), ("Syrdarya (Gulistan)", 40.49, 68.78)]]
    g_tr = many("ginner", P("TR", "Sanliurfa", 37.16, 38.79), "{stem} Egrenleme A.S.", 2, 0.40, 0.9) + \
        many("ginner", P("TR", "Aydin (Soke)", 37.75, 27.41), "{stem} Pamuk Egrenleme", 1, 0.40, 0.9) + \
        many("ginner", P("TR", "Adana", 37.00, 35.32), "{stem} Pamuk San. A.S.", 1, 0.40, 0.9)
    g_pk = many("ginner", P("PK", "Punjab, Multan", 30.20, 71.47), "{stem} Ginning Factory", 2, 0.34, 0.9) + \
        many("ginner", P("PK", "Punjab, Rahim Yar Khan", 28.42, 70.30), "{stem} Cotton Ginners", 1, 0.34, 0.9) + \
        many("ginner", P("PK", "Sindh, Sanghar", 26.05, 68.95), "{stem} Ginning Industries", 1, 0.34, 0.9)
    g_br = many("ginner", P("BR", "Mato Grosso, Campo Verde", -15.54, -55.16), "Algodoeira {stem} Ltda.", 1, 0.41, 0.9) + \
        many("ginner", P("BR", "Bahia, Luis Eduardo Magalhaes", -12.09, -45.79), "Algodoeira {stem} S.A.", 1, 0.41, 0.9)

    # ------------------------------------------------------------------ spinners
    s_in = many("spinner", P("IN", "Gujarat, Ahmedabad", 23.02, 72.57), "{stem} Spinning Mills Ltd", 2, 0.87, 0.7) + \
        many("spinner", P("IN", "Tamil Nadu, Coimbatore", 11.02, 76.96), "{stem} Spinners Pvt Ltd", 2, 0.87, 0.7) + \
        many("spinner", P("IN", "Maharashtra, Nagpur", 21.15, 79.09), "{stem} Yarns Ltd", 1, 0.87, 0.7)
    s_xj = many("spinner", P("CN", "Xinjiang, Aksu", 41.17, 80.26), "Xinjiang {stem} Textile Co., Ltd.", 2, 0.87, 0.7)
    s_js = many("spinner", P("CN", "Jiangsu, Nantong", 32.00, 120.86), "Nantong {stem} Cotton Spinning Co., Ltd.", 2, 0.87, 0.7)
    s_bd = many("spinner", P("BD", "Narayanganj", 23.62, 90.50, 0.02), "{stem} Spinning Mills Ltd", 2, 0.87, 0.8) + \
        many("spinner", P("BD", "Narsingdi", 23.92, 90.72, 0.02), "{stem} Cotton Mills Ltd", 1, 0.87, 0.8) + \
        many("spinner", P("BD", "Gazipur", 24.00, 90.42, 0.02), "{stem} Yarn Mills Ltd", 1, 0.87, 0.8)
    s_vn = many("spinner", P("VN", "Nam Dinh", 20.43, 106.17), "{stem} Yarn Company", 1, 0.87, 0.6) + \
        many("spinner", P("VN", "Binh Duong", 11.05, 106.66), "{stem} Spinning JSC", 1, 0.87, 0.6)
    s_tr = many("spinner", P("TR", "Kahramanmaras", 37.58, 36.93), "{stem} Iplik San. A.S.", 2, 0.87, 0.7) + \
        many("spinner", P("TR", "Gaziantep", 37.07, 37.38), "{stem} Tekstil Iplik A.S.", 1, 0.87, 0.7) + \
        many("spinner", P("TR", "Denizli", 37.78, 29.09), "{stem} Iplik A.S.", 1, 0.87, 0.7)
    s_pk = many("spinner", P("PK", "Punjab, Faisalabad", 31.42, 73.08), "{stem} Textile Mills Ltd", 2, 0.87, 0.7) + \
        many("spinner", P("PK", "Punjab, Multan", 30.20, 71.47), "{stem} Spinning Mills Ltd", 1, 0.87, 0.7)
    s_uz = many("spinner", P("UZ", "Tashkent", 41.30, 69.24), "{stem} Textile LLC", 1, 0.87, 0.6) + \
        many("spinner", P("UZ", "Fergana", 40.38, 71.79), "{stem} Tekstil LLC", 1, 0.87, 0.6)

    # ------------------------------------------------------------------ weavers and knitters
    w_bd = many("weaver_knitter", P("BD", "Gazipur", 24.00, 90.42, 0.02), "{stem} Knit Fabrics Ltd", 2, 0.95, 0.85) + \
        many("weaver_knitter", P("BD", "Narayanganj", 23.62, 90.50, 0.02), "{stem} Knitting Ltd", 2, 0.95, 0.85) + \
        many("weaver_knitter", P("BD", "Dhaka, Ashulia", 23.90, 90.30, 0.015), "{stem} Fabrics Ltd", 1, 0.95, 0.85)
    w_in = many("weaver_knitter", P("IN", "Tamil Nadu, Tiruppur", 11.11, 77.34), "{stem} Knitting Company", 3, 0.95, 0.8) + \
        many("weaver_knitter", P("IN", "Tamil Nadu, Erode", 11.34, 77.72), "{stem} Weaving Mills", 1, 0.95, 0.8)
    w_cn = many("weaver_knitter", P("CN", "Zhejiang, Shaoxing (Keqiao)", 30.08, 120.49), "Shaoxing {stem} Textile Co., Ltd.", 2, 0.95, 0.7) + \
        many("weaver_knitter", P("CN", "Guangdong, Foshan", 23.02, 113.12), "Foshan {stem} Knitting Co., Ltd.", 1, 0.95, 0.7) + \
        many("weaver_knitter", P("CN", "Jiangsu, Changzhou", 31.81, 119.97), "Changzhou {stem} Weaving Co., Ltd.", 1, 0.95, 0.7)
    w_unknown = b.actor("weaver_knitter", P("CN", "Zhejiang, Shaoxing (Keqiao)", 30.08, 120.49),
                        f"Shaoxing {stem()} Fabric Trading & Weaving Co., Ltd.", commodity="textiles", yield_=0.95, keep=0.7)
    w_tr = many("weaver_knitter", P("TR", "Bursa", 40.19, 29.06), "{stem} Dokuma A.S.", 2, 0.95, 0.8) + \
        many("weaver_knitter", P("TR", "Denizli", 37.78, 29.09), "{stem} Tekstil Dokuma", 1, 0.95, 0.8) + \
        many("weaver_knitter", P("TR", "Gaziantep", 37.07, 37.38), "{stem} Orme A.S.", 1, 0.95, 0.8)
    w_pk = many("weaver_knitter", P("PK", "Punjab, Faisalabad", 31.42, 73.08), "{stem} Denim Weaving Ltd", 2, 0.95, 0.8)
    w_et = many("weaver_knitter", P("ET", "Amhara, Bahir Dar", 11.59, 37.39), "{stem} Textile Share Company", 1, 0.95, 0.8)

    # ------------------------------------------------------------------ wet processors
    d_bd = many("wet_processor", P("BD", "Gazipur", 24.00, 90.42, 0.02), "{stem} Dyeing & Finishing Ltd", 2, 0.94, 0.9) + \
        many("wet_processor", P("BD", "Dhaka, Savar", 23.86, 90.26, 0.015), "{stem} Washing Plant Ltd", 1, 0.94, 0.9) + \
        many("wet_processor", P("BD", "Narayanganj", 23.62, 90.50, 0.02), "{stem} Dyeing Ltd", 1, 0.94, 0.9)
    d_in = many("wet_processor", P("IN", "Tamil Nadu, Tiruppur", 11.11, 77.34), "{stem} Processing Mills", 2, 0.94, 0.9) + \
        many("wet_processor", P("IN", "Gujarat, Ahmedabad", 23.02, 72.57), "{stem} Dyeing & Printing Works", 1, 0.94, 0.9)
    d_cn = many("wet_processor", P("CN", "Zhejiang, Shaoxing (Keqiao)", 30.08, 120.49), "Shaoxing {stem} Dyeing Co., Ltd.", 2, 0.94, 0.85) + \
        many("wet_processor", P("CN", "Guangdong, Guangzhou", 23.13, 113.26), "Guangzhou {stem} Printing & Dyeing Co., Ltd.", 1, 0.94, 0.85)
    d_tr = many("wet_processor", P("TR", "Bursa", 40.19, 29.06), "{stem} Boya Apre A.S.", 1, 0.94, 0.9) + \
        many("wet_processor", P("TR", "Tekirdag (Corlu)", 41.16, 27.80), "{stem} Tekstil Terbiye A.S.", 1, 0.94, 0.9) + \
        many("wet_processor", P("TR", "Denizli", 37.78, 29.09), "{stem} Boyahane", 1, 0.94, 0.9)
    d_pk = many("wet_processor", P("PK", "Punjab, Faisalabad", 31.42, 73.08), "{stem} Processing Mills Ltd", 1, 0.94, 0.9) + \
        many("wet_processor", P("PK", "Punjab, Lahore", 31.55, 74.34), "{stem} Denim Laundry Ltd", 1, 0.94, 0.9)
    d_et = many("wet_processor", P("ET", "Oromia, Adama", 8.54, 39.27), "{stem} Dyeing & Finishing PLC", 1, 0.94, 0.9)

    # ------------------------------------------------------------------ garment makers
    def gm(place, template, n):
        return many("garment_maker", place, template, n, 0.85, 0.25)

    m_bd = gm(P("BD", "Dhaka, Mirpur", 23.81, 90.37, 0.015), "{stem} Apparels Ltd", 3) + \
        gm(P("BD", "Gazipur", 24.00, 90.42, 0.02), "{stem} Garments Ltd", 4) + \
        gm(P("BD", "Dhaka, Ashulia-Savar", 23.88, 90.28, 0.015), "{stem} Knitwear Ltd", 4) + \
        gm(P("BD", "Narayanganj", 23.62, 90.50, 0.02), "{stem} Fashions Ltd", 2) + \
        gm(P("BD", "Chattogram EPZ", 22.29, 91.80, 0.015), "{stem} Apparel (BD) Ltd", 3)
    m_in = gm(P("IN", "Tamil Nadu, Tiruppur", 11.11, 77.34), "{stem} Exports", 5) + \
        gm(P("IN", "Karnataka, Bengaluru", 12.97, 77.59, 0.05), "{stem} Clothing Pvt Ltd", 3) + \
        gm(P("IN", "Uttar Pradesh, Noida", 28.54, 77.39), "{stem} Fashions Pvt Ltd", 2)
    m_tr = gm(P("TR", "Istanbul", 41.01, 28.98, 0.04), "{stem} Konfeksiyon A.S.", 4) + \
        gm(P("TR", "Izmir", 38.42, 27.14), "{stem} Giyim San. A.S.", 2) + \
        gm(P("TR", "Denizli", 37.78, 29.09), "{stem} Tekstil Konfeksiyon", 1)
    m_cn = gm(P("CN", "Zhejiang, Ningbo", 29.87, 121.54), "Ningbo {stem} Garment Co., Ltd.", 2) + \
        gm(P("CN", "Guangdong, Dongguan", 23.02, 113.75), "Dongguan {stem} Apparel Co., Ltd.", 2) + \
        gm(P("CN", "Jiangsu, Suzhou", 31.30, 120.58), "Suzhou {stem} Fashion Co., Ltd.", 1) + \
        gm(P("CN", "Shandong, Qingdao", 36.07, 120.38), "Qingdao {stem} Garments Co., Ltd.", 1)
    m_et = gm(P("ET", "Sidama, Hawassa Industrial Park", 7.05, 38.49, 0.01), "{stem} Garment PLC", 3) + \
        gm(P("ET", "Addis Ababa, Bole Lemi", 8.95, 38.83, 0.01), "{stem} Apparel PLC", 1)
    m_pk = gm(P("PK", "Punjab, Lahore", 31.55, 74.34), "{stem} Apparel (Pvt) Ltd", 2) + \
        gm(P("PK", "Sindh, Karachi", 24.86, 67.01), "{stem} Garments (Pvt) Ltd", 2)

    # ------------------------------------------------------------------ brands and retailers (NL)
    nl = {"Amsterdam": (52.37, 4.90), "Amstelveen": (52.30, 4.86), "Utrecht": (52.09, 5.12), "Tilburg": (51.56, 5.09),
          "Rotterdam": (51.92, 4.48), "Den Bosch": (51.69, 5.30), "Arnhem": (51.98, 5.91), "Zwolle": (52.515, 6.09),
          "Eindhoven": (51.44, 5.48), "Groningen": (53.22, 6.57), "Den Haag": (52.07, 4.30), "Breda": (51.59, 4.78),
          "Haarlem": (52.38, 4.64), "Nijmegen": (51.84, 5.86), "Enschede": (52.22, 6.89), "Maastricht": (50.85, 5.69),
          "Leeuwarden": (53.20, 5.80), "Apeldoorn": (52.21, 5.97), "Almere": (52.37, 5.22), "Amersfoort": (52.155, 5.39)}

    def at(city, spread=0.015):
        la, lo = nl[city]
        return Place("NL", city, la, lo, spread)

    brand_cities = ["Amsterdam"] * 5 + ["Amstelveen", "Utrecht", "Utrecht", "Tilburg", "Rotterdam", "Den Bosch",
                                        "Arnhem", "Zwolle", "Eindhoven"]
    kinds = ["Fashion B.V.", "Denim B.V.", "Kids B.V.", "Basics B.V.", "Workwear B.V.", "Outdoor B.V.", "Menswear B.V."]
    brands = [b.actor("brand", at(c), f"{stem()} {kinds[i % len(kinds)]}", commodity="garments", yield_=0.99, keep=0.55)
              for i, c in enumerate(brand_cities)]
    retail_cities = ["Amsterdam", "Amsterdam", "Rotterdam", "Rotterdam", "Utrecht", "Den Haag", "Eindhoven", "Groningen",
                     "Breda", "Haarlem", "Nijmegen", "Enschede", "Maastricht", "Leeuwarden", "Apeldoorn", "Almere",
                     "Amersfoort", "Zwolle", "Tilburg", "Arnhem", "Den Bosch", "Amsterdam", "Utrecht", "Rotterdam",
                     "Den Haag", "Eindhoven", "Groningen", "Amsterdam"]
    rkinds = ["Warenhuis", "Mode", "Kinderkleding", "Sport", "Jeans Store", "Modehuis", "Outlet"]
    retailers = [b.actor("retailer", at(c), f"{stem()} {rkinds[i % len(rkinds)]}", commodity="garments")
                 for i, c in enumerate(retail_cities)]

    # ================================================================== links
    F = FAMILY
    b.connect(farms_in("Gujarat"), g_guj, F, (1, 2))
    b.connect(farms_in("Maharashtra"), g_mh, F, (1, 2))
    b.connect(farms_in("Xinjiang, Aksu", "Xinjiang, Kashgar"), g_cn[:2] + g_cn[3:4], F, (1, 2))
    b.connect(farms_in("Xinjiang, Bayingolin"), g_cn[2:3], F, (1, 1))
    b.connect(farms_in("Xinjiang, Shihezi", "Xinjiang, Changji"), g_cn[4:], F, (1, 1))
    b.connect(farms_in("Texas, Lubbock", "Texas, Hale", "Texas, Terry"), g_us[:2], F, (1, 2))
    b.connect(farms_in("Texas, Dawson"), g_us[2:3], F, (1, 1))
    b.connect(farms_in("Texas, Nueces"), g_us[3:], F, (1, 1))
    for g, region in zip(g_uz, ["Fergana", "Kashkadarya", "Bukhara", "Syrdarya"]):
        for f in farms_in(region):
            b.link(f, g, F)
    b.connect(farms_in("Sanliurfa", "Diyarbakir"), g_tr[:2], F, (1, 2))
    b.connect(farms_in("Aydin"), g_tr[2:3], F, (1, 1))
    b.connect(farms_in("Adana"), g_tr[3:], F, (1, 1))
    b.connect(farms_in("Punjab"), g_pk[:3], F, (1, 2))
    b.connect(farms_in("Sindh"), g_pk[3:], F, (1, 1))
    b.connect(farms_in("Mato Grosso"), g_br[:1], F, (1, 1))
    b.connect(farms_in("Bahia"), g_br[1:], F, (1, 1))

    # ginners → spinners (lint trade)
    b.connect(g_guj + g_mh, s_in, F, (1, 2))
    for g, s_ in zip(g_us[:2] + g_br, s_in[2:4] + s_in[:2]):
        b.link(g, s_, F, 0.4)                             # imported lint for Indian mills
    for g in g_guj[:2]:
        b.link(g, s_bd[0], F, 0.8)                        # Indian lint to Bangladesh
    b.connect(g_cn, s_xj + s_js, F, (1, 2))
    b.connect(g_us, s_bd + s_vn + s_tr + s_pk, F, (2, 3))
    b.connect(g_br, s_bd + s_vn + s_tr + s_pk, F, (2, 3))
    b.connect(g_uz, s_uz, F, (1, 1))
    b.link(g_uz[1], s_bd[2], F, 0.5)
    b.connect(g_tr, s_tr, F, (1, 2))
    b.connect(g_pk, s_pk, F, (1, 2))
    # 2025: a Nantong spinner replaces Xinjiang lint by Brazilian lint
    for g in g_cn:
        b.link(g, s_js[1], F, 1.0, w2025=0.2)
    b.link(g_br[0], s_js[1], F, 0.3, w2025=1.5)

    # spinners → weavers / knitters (yarn trade)
    b.connect(s_in, w_in, F, (1, 2))
    b.link(s_in[2], w_bd[0], F, 0.6)
    b.link(s_in[3], w_et[0], F, 0.5)
    b.connect(s_xj + s_js, w_cn, F, (1, 2))
    b.link(s_xj[0], w_bd[1], F, 0.5)                      # Chinese yarn to a Bangladeshi knitter
    b.connect(s_bd, w_bd, F, (1, 2))
    b.connect(s_vn, w_cn + w_bd, F, (1, 2))
    b.connect(s_tr, w_tr, F, (1, 2))
    b.connect(s_pk, w_pk, F, (1, 2))
    b.link(s_pk[2], w_bd[4], F, 0.5)
    b.connect(s_uz, w_tr + w_cn[:1], F, (1, 2))
    b.link(s_uz[0], w_et[0], F, 0.3)

    # weavers → wet processors
    b.connect(w_bd, d_bd, F, (1, 2))
    b.connect(w_in, d_in, F, (1, 2))
    b.connect(w_cn, d_cn, F, (1, 2))
    b.link(w_unknown, d_cn[0], F, 1.0)
    b.link(w_unknown, d_bd[1], F, 1.0)
    b.produce(w_unknown, F, 380.0)                      # fabric with no recorded yarn supplier
    b.connect(w_tr, d_tr, F, (1, 2))
    b.connect(w_pk, d_pk, F, (1, 1))
    b.link(w_et[0], d_et[0], F)

    # wet processors → garment makers
    b.connect(d_bd, m_bd, F, (3, 5))
    b.connect(d_in, m_in, F, (3, 5))
    b.connect(d_cn, m_cn, F, (2, 3))
    for d in d_cn:
        b.link(d, m_bd[int(rng.integers(0, len(m_bd)))], F, 0.6)     # Chinese woven fabric for Bangladesh
    b.link(d_cn[2], m_et[0], F, 0.5)
    b.link(d_in[2], m_et[1], F, 0.5)
    b.connect(d_tr, m_tr, F, (2, 4))
    b.connect(d_pk, m_pk, F, (2, 3))
    b.link(d_pk[1], m_bd[12], F, 0.4)                     # Pakistani denim for a Narayanganj jeans maker
    b.connect(d_et, m_et, F, (3, 4))

    # garment makers → brands (and two retailers' private labels)
    b.connect(m_bd + m_in + m_tr + m_cn + m_et + m_pk, brands, F, (1, 3))
    # 2025: two brands cut Chinese garment makers, move the volume to Turkey and Ethiopia
    for m in m_cn:
        for br in brands[:2]:
            b.link(m, br, F, 1.0, w2025=0.0)
    for m in m_tr[:2]:
        b.link(m, brands[0], F, 0.5, w2025=1.5)
    b.link(m_et[2], brands[1], F, 0.3, w2025=1.5)
    for m in m_bd[:2] + m_tr[4:5]:
        b.link(m, retailers[0], F, 0.5)
        b.link(m, retailers[2], F, 0.5)
    gap_maker = m_bd[4]
    b.gap(gap_maker, 1.45)                               # ships ~45 % more garments than its fabric allows

    # brands → retailers
    b.connect(brands, retailers, F, (2, 6))

    # ================================================================== production
    for f, t in seed_t.items():
        b.produce(f, F, t, change=0.12)

    is_ = lambda a, stage: b.stage_of(a) == stage
    b.missing_volume(2025, lambda s, t: is_(s, "cotton_farm") and b.by_id[s]["country"] == "PK")
    b.missing_volume(2024, lambda s, t: is_(s, "brand") and is_(t, "retailer"))

    b.loose_ends({"retailer"})
    flows = b.solve()
    actors = b.actors_frame()
    flows_out = b.flows_frame(flows, label=lambda family, stage: PRODUCT[stage])
    write_chain(OUT, actors, flows_out, volume_decimals=1)
    summary("textiles", actors, flows_out)
    print("  documented:", {"unknown_origin": w_unknown, "mass_balance_gap": gap_maker, "nantong": s_js[1],
                            "brands_cutting_cn": brands[:2], "missing_volume": b.missing})


if __name__ == "__main__":
    build()
