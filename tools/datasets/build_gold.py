"""Build ``datasets/gold``: mines → traders → refiners → bullion banks → manufacturers → retailers.

Run from the repository root: ``python tools/datasets/build_gold.py``. The
output is deterministic (seed below). Volumes are kilograms of fine gold.
See ``datasets/gold/README.md`` for what is modelled and why.
"""
from __future__ import annotations

from chainkit import ROOT, ChainBuilder, Place, summary, write_chain

SEED = 20240501
OUT = ROOT / "datasets" / "gold"
FAMILY = "gold"

STAGES = ["mine_asm", "mine_lsm", "recycler", "trader", "refiner", "bullion_bank", "manufacturer", "retailer"]
CODES = {"mine_asm": "ASM", "mine_lsm": "LSM", "recycler": "RCY", "trader": "TRD", "refiner": "REF",
         "bullion_bank": "BBK", "manufacturer": "MFG", "retailer": "RTL"}

# Artisanal and small-scale mining areas: (place, number of sites, median kg/yr ÷ 3; a site is a mining
# association or concession with tens to hundreds of diggers, so it sells tens of kilograms a year)
ASM_AREAS = [
    (Place("UG", "Mubende", 0.58, 31.40, 0.10), 5, 14),
    (Place("UG", "Kassanda", 0.50, 31.82, 0.08), 3, 12),
    (Place("UG", "Busia", 0.50, 33.98, 0.04), 3, 8),
    (Place("UG", "Namayingo", 0.28, 33.86, 0.04), 2, 8),
    (Place("UG", "Karamoja (Moroto)", 2.55, 34.62, 0.10), 2, 6),
    (Place("UG", "Buhweju", -0.33, 30.36, 0.05), 1, 6),
    (Place("CD", "South Kivu (Kamituga)", -3.06, 28.18, 0.06), 4, 22),
    (Place("CD", "South Kivu (Mwenga)", -3.03, 28.43, 0.06), 2, 18),
    (Place("CD", "South Kivu (Shabunda)", -2.70, 27.34, 0.06), 2, 20),
    (Place("CD", "Ituri (Mongbwalu)", 1.95, 30.03, 0.06), 4, 25),
    (Place("CD", "Haut-Uele (Watsa)", 3.04, 29.54, 0.06), 2, 20),
    (Place("CD", "Maniema (Kalima)", -2.52, 26.61, 0.06), 2, 15),
    (Place("GH", "Western (Tarkwa-Prestea)", 5.35, -2.05, 0.07), 4, 30),
    (Place("GH", "Ashanti (Amansie)", 6.38, -1.85, 0.08), 4, 25),
    (Place("GH", "Western North (Bibiani)", 6.46, -2.32, 0.05), 3, 20),
    (Place("GH", "Eastern (Kibi)", 6.17, -0.55, 0.05), 3, 15),
    (Place("PE", "Madre de Dios (Huepetuhe)", -12.99, -70.52, 0.06), 4, 35),
    (Place("PE", "Madre de Dios (Laberinto)", -12.72, -69.60, 0.06), 3, 30),
    (Place("PE", "Puno (La Rinconada)", -14.63, -69.45, 0.03), 4, 30),
    (Place("PE", "Arequipa (Chala)", -15.80, -74.20, 0.08), 3, 25),
    (Place("CO", "Antioquia (Segovia-Remedios)", 7.06, -74.70, 0.06), 5, 20),
    (Place("CO", "Antioquia (Bajo Cauca, El Bagre)", 7.59, -74.80, 0.06), 2, 18),
    (Place("CO", "Choco (Istmina)", 5.16, -76.68, 0.05), 2, 15),
    (Place("CO", "Bolivar (Sur de Bolivar)", 7.96, -74.05, 0.05), 2, 15),
    (Place("CO", "Narino (Barbacoas)", 1.67, -78.14, 0.04), 1, 12),
    (Place("BF", "Hauts-Bassins (Hounde)", 11.50, -3.52, 0.08), 3, 15),
    (Place("BF", "Sud-Ouest (Gaoua)", 10.33, -3.18, 0.08), 3, 12),
    (Place("ML", "Kayes (Kenieba)", 12.84, -11.23, 0.08), 3, 15),
    (Place("ML", "Koulikoro (Kangaba)", 11.93, -8.42, 0.06), 2, 12),
    (Place("TZ", "Geita", -2.87, 32.23, 0.08), 4, 20),
    (Place("TZ", "Mbeya (Chunya)", -8.53, 33.43, 0.06), 2, 15),
]

ASM_NAMES = {
    "UG": "{stem} Artisanal Miners Association",
    "CD": "Cooperative miniere {stem}",
    "GH": "{stem} Small-Scale Mining Group",
    "PE": "Minera Artesanal {stem}",
    "CO": "Asociacion de Mineros {stem}",
    "BF": "Site d'orpaillage {stem}",
    "ML": "Site d'orpaillage {stem}",
    "TZ": "{stem} Small Scale Miners Group",
}

# Large-scale mines: (place, kg/yr, name template)
LSM = [
    (Place("GH", "Western (Tarkwa)", 5.27, -2.00, 0.03), 14000, "{stem} Gold Mine Ltd"),
    (Place("GH", "Ashanti (Obuasi)", 6.19, -1.66, 0.03), 9000, "{stem} Gold Fields Ltd"),
    (Place("GH", "Ahafo (Kenyasi)", 6.98, -2.38, 0.03), 16000, "{stem} Mining Ghana Ltd"),
    (Place("GH", "Western (Damang)", 5.52, -1.87, 0.03), 7000, "{stem} Damang Operations Ltd"),
    (Place("PE", "Cajamarca", -6.98, -78.52, 0.04), 12000, "Minera {stem} S.A."),
    (Place("PE", "La Libertad (Huamachuco)", -7.81, -78.05, 0.04), 8000, "Compania Minera {stem} S.A.A."),
    (Place("PE", "Ancash (Huari)", -9.35, -77.17, 0.04), 4000, "Minera {stem} S.A.C."),
    (Place("CO", "Antioquia (Buritica)", 6.72, -75.91, 0.02), 7500, "{stem} Mining Colombia S.A.S."),
    (Place("TZ", "Geita", -2.88, 32.17, 0.03), 15000, "{stem} Gold Mine Ltd"),
    (Place("TZ", "Shinyanga (Kahama)", -3.23, 32.48, 0.03), 8000, "{stem} Mining Ltd"),
    (Place("ML", "Kayes (Sadiola)", 13.89, -11.70, 0.04), 11000, "Societe des Mines de {stem} S.A."),
    (Place("ML", "Sikasso (Syama)", 10.80, -6.06, 0.04), 7000, "Societe d'Exploitation {stem} S.A."),
    (Place("BF", "Hauts-Bassins (Hounde)", 11.52, -3.45, 0.04), 9000, "{stem} Mining Burkina S.A."),
    (Place("ZA", "Gauteng (West Rand)", -26.36, 27.40, 0.04), 9000, "{stem} Gold Operations (Pty) Ltd"),
    (Place("ZA", "North West (Klerksdorp)", -26.87, 26.66, 0.04), 6000, "{stem} Mining (Pty) Ltd"),
    (Place("CA", "Ontario (Timmins)", 48.47, -81.33, 0.05), 9000, "{stem} Gold Mines Inc."),
    (Place("CA", "Quebec (Malartic)", 48.14, -78.13, 0.03), 10000, "{stem} Resources Inc."),
    (Place("US", "Nevada (Elko County)", 40.83, -115.76, 0.10), 12000, "{stem} Gold Nevada LLC"),
]

TRADER_PLACES = {
    "UG": [Place("UG", "Kampala", 0.32, 32.58, 0.03)] * 4,
    "CD": [Place("CD", "South Kivu (Bukavu)", -2.51, 28.86, 0.02)] * 3 + [Place("CD", "Ituri (Bunia)", 1.56, 30.25, 0.02)] * 2,
    "RW": [Place("RW", "Kigali", -1.95, 30.06, 0.02)] * 2,
    "GH": [Place("GH", "Greater Accra", 5.60, -0.19, 0.02)] * 2 + [Place("GH", "Ashanti (Kumasi)", 6.69, -1.62, 0.02)] * 2,
    "PE": [Place("PE", "Lima", -12.08, -77.03, 0.03)] * 3 + [Place("PE", "Madre de Dios (Puerto Maldonado)", -12.59, -69.19, 0.02)],
    "CO": [Place("CO", "Antioquia (Medellin)", 6.24, -75.58, 0.02)] * 3 + [Place("CO", "Bogota", 4.68, -74.08, 0.02)],
    "BF": [Place("BF", "Centre (Ouagadougou)", 12.37, -1.52, 0.02)] * 2,
    "ML": [Place("ML", "Bamako", 12.64, -8.00, 0.02)] * 2,
    "TZ": [Place("TZ", "Mwanza", -2.52, 32.90, 0.02), Place("TZ", "Geita", -2.87, 32.23, 0.02)],
    "AE": [Place("AE", "Dubai", 25.26, 55.31, 0.02)] * 7 + [Place("AE", "Sharjah", 25.34, 55.42, 0.01)],
}
TRADER_NAMES = {
    "UG": "{stem} Gold Exporters Ltd", "CD": "Comptoir {stem} SARL", "RW": "{stem} Minerals Trading Ltd",
    "GH": "{stem} Gold Buying Company Ltd", "PE": "{stem} Metals S.A.C.", "CO": "C.I. {stem} S.A.S.",
    "BF": "Comptoir {stem} d'Achat d'Or SARL", "ML": "Comptoir {stem} SARL", "TZ": "{stem} Mineral Dealers Ltd",
    "AE": "{stem} Gold Trading DMCC",
}

# Refiners: (place, smelter id from the RMI list or None, name template, yield, keep)
REFINERS = [
    (Place("CH", "Ticino (Mendrisio)", 45.87, 8.98, 0.01), "CID000077", "{stem} Affinage SA"),
    (Place("CH", "Neuchatel (Marin)", 47.01, 6.99, 0.01), "CID001153", "{stem} Metaux Precieux SA"),
    (Place("CH", "Geneva", 46.19, 6.12, 0.01), "CID001352", "{stem} Refining SA"),
    (Place("CH", "Ticino (Balerna)", 45.85, 9.01, 0.005), "CID002003", "{stem} Raffinerie SA"),
    (Place("CH", "Bern (Biel/Bienne)", 47.14, 7.25, 0.01), "CID000189", "{stem} Edelmetalle AG"),
    (Place("AE", "Dubai", 25.00, 55.10, 0.02), "CID002561", "{stem} Gold Refinery DMCC"),
    (Place("AE", "Dubai", 25.18, 55.28, 0.02), "CID002563", "{stem} Precious Metals Refinery LLC"),
    (Place("AE", "Fujairah", 25.13, 56.33, 0.01), "CID002584", "{stem} Gold FZC"),
    (Place("AE", "Sharjah", 25.33, 55.45, 0.01), "CID003348", "{stem} Gold Refinery FZC"),
    (Place("AE", "Ajman", 25.40, 55.48, 0.01), None, "{stem} Bullion Refinery FZE"),
    (Place("IN", "Haryana (Nuh)", 28.10, 77.00, 0.02), "CID002509", "{stem} Refiners Pvt Ltd"),
    (Place("IN", "Maharashtra (Mumbai)", 19.08, 72.88, 0.02), "CID003461", "{stem} Bullion Refinery Pvt Ltd"),
    (Place("IN", "Gujarat (Ahmedabad)", 23.03, 72.58, 0.02), "CID002852", "{stem} Gold Refinery Pvt Ltd"),
    (Place("UG", "Wakiso (Entebbe)", 0.06, 32.46, 0.01), "CID003185", "{stem} Gold Refinery Ltd"),
    (Place("ZA", "Gauteng (Germiston)", -26.22, 28.17, 0.01), "CID001512", "{stem} Refinery (Pty) Ltd"),
    (Place("DE", "Hesse (Hanau)", 50.13, 8.92, 0.01), "CID000711", "{stem} Edelmetalle GmbH"),
    (Place("BE", "Antwerp (Hoboken)", 51.18, 4.35, 0.01), "CID001980", "{stem} Metals Recovery NV"),
    (Place("TR", "Istanbul (Kuyumcukent)", 40.99, 28.84, 0.01), "CID000814", "{stem} Altin Rafinerisi A.S."),
]

NL = {
    "Schoonhoven": Place("NL", "Zuid-Holland (Schoonhoven)", 51.948, 4.849, 0.006),
    "Amsterdam": Place("NL", "Noord-Holland (Amsterdam)", 52.370, 4.895, 0.02),
    "Rotterdam": Place("NL", "Zuid-Holland (Rotterdam)", 51.920, 4.480, 0.02),
    "Utrecht": Place("NL", "Utrecht", 52.090, 5.120, 0.02),
    "Den Haag": Place("NL", "Zuid-Holland (Den Haag)", 52.070, 4.300, 0.015),
    "Eindhoven": Place("NL", "Noord-Brabant (Eindhoven)", 51.440, 5.480, 0.02),
    "Nijmegen": Place("NL", "Gelderland (Nijmegen)", 51.840, 5.860, 0.015),
    "Venlo": Place("NL", "Limburg (Venlo)", 51.370, 6.170, 0.015),
    "Enschede": Place("NL", "Overijssel (Enschede)", 52.220, 6.890, 0.015),
    "Groningen": Place("NL", "Groningen", 53.220, 6.570, 0.015),
    "Tilburg": Place("NL", "Noord-Brabant (Tilburg)", 51.560, 5.090, 0.015),
    "Breda": Place("NL", "Noord-Brabant (Breda)", 51.590, 4.780, 0.015),
    "Zwolle": Place("NL", "Overijssel (Zwolle)", 52.515, 6.090, 0.015),
    "Haarlem": Place("NL", "Noord-Holland (Haarlem)", 52.380, 4.640, 0.01),
    "Arnhem": Place("NL", "Gelderland (Arnhem)", 51.980, 5.910, 0.015),
    "Maastricht": Place("NL", "Limburg (Maastricht)", 50.850, 5.690, 0.01),
    "Apeldoorn": Place("NL", "Gelderland (Apeldoorn)", 52.210, 5.970, 0.015),
    "Amersfoort": Place("NL", "Utrecht (Amersfoort)", 52.155, 5.390, 0.015),
    "Leeuwarden": Place("NL", "Friesland (Leeuwarden)", 53.200, 5.800, 0.015),
    "Almere": Place("NL", "Flevoland (Almere)", 52.370, 5.220, 0.015),
    "Moerdijk": Place("NL", "Noord-Brabant (Moerdijk)", 51.680, 4.600, 0.01),
}


def build() -> None:
    b = ChainBuilder("gold", "GLD", SEED, unit="kg", decimals=1, stage_codes=CODES, stage_order=STAGES,
                     chain_starts={"mine_asm", "mine_lsm", "recycler"})
    rng = b.rng
    stem = b.names.stem

    def pick(pool, k=1):
        idx = rng.choice(len(pool), size=min(k, len(pool)), replace=False)
        return [pool[int(i)] for i in sorted(idx)]

    # ------------------------------------------------------------------ mines
    asm: dict[str, list[str]] = {}
    asm_area: dict[str, str] = {}
    asm_kg: dict[str, float] = {}
    for place, count, median in ASM_AREAS:
        for _ in range(count):
            a = b.actor("mine_asm", place, ASM_NAMES[place.country].format(stem=stem()), commodity="gold")
            asm.setdefault(place.country, []).append(a)
            asm_area[a] = place.region
            asm_kg[a] = float(3 * median * rng.lognormal(0, 0.45))
    lsm: dict[str, list[str]] = {}
    lsm_kg: dict[str, float] = {}
    for place, kg, template in LSM:
        a = b.actor("mine_lsm", place, template.format(stem=stem()), commodity="gold")
        lsm.setdefault(place.country, []).append(a)
        lsm_kg[a] = kg

    # ------------------------------------------------------------------ traders
    traders: dict[str, list[str]] = {}
    for country, places in TRADER_PLACES.items():
        for place in places:
            keep = 0.8 if country == "AE" else 1.0
            a = b.actor("trader", place, TRADER_NAMES[country].format(stem=stem()), commodity="gold",
                        yield_=0.997, keep=keep)
            traders.setdefault(country, []).append(a)

    # ------------------------------------------------------------------ refiners
    refiners: dict[str, list[str]] = {}
    keep_by_country = {"CH": 0.85, "AE": 0.7, "IN": 0.6, "UG": 1.0, "ZA": 0.9, "DE": 0.8, "BE": 0.9, "TR": 0.6}
    for place, cid, template in REFINERS:
        a = b.actor("refiner", place, template.format(stem=stem()), commodity="gold", smelter_id=cid,
                    yield_=0.995, keep=keep_by_country[place.country])
        refiners.setdefault(place.country, []).append(a)
    ch = refiners["CH"]
    ch_loop = ch[1]            # the Swiss refiner in the recycling loop (CID001153)
    ae_identified, ae_unidentified = refiners["AE"][:4], refiners["AE"][4]
    ug_ref, za_ref, de_ref, be_ref, tr_ref = (refiners["UG"][0], refiners["ZA"][0], refiners["DE"][0],
                                              refiners["BE"][0], refiners["TR"][0])
    in_ref = refiners["IN"]

    # ------------------------------------------------------------------ recyclers
    r_loop = b.actor("recycler", NL["Schoonhoven"], f"{stem()} Edelmetaal Recycling B.V.", commodity="gold", yield_=0.99)
    r_oldgold = b.actor("recycler", NL["Amsterdam"], f"{stem()} Oudgoud Inkoop B.V.", commodity="gold", yield_=0.99)
    r_ewaste = b.actor("recycler", NL["Eindhoven"], f"{stem()} E-Waste Recovery B.V.", commodity="gold", yield_=0.98)
    r_ch = [b.actor("recycler", Place("CH", "Neuchatel (La Chaux-de-Fonds)", 47.10, 6.83, 0.01),
                    f"{stem()} Recyclage SA", commodity="gold", yield_=0.99),
            b.actor("recycler", Place("CH", "Ticino (Lugano)", 46.01, 8.96, 0.01),
                    f"{stem()} Recupero Metalli SA", commodity="gold", yield_=0.99)]
    r_be = b.actor("recycler", Place("BE", "Antwerp", 51.22, 4.42, 0.01), f"{stem()} Recycling NV", commodity="gold", yield_=0.98)
    r_de = b.actor("recycler", Place("DE", "Baden-Wurttemberg (Pforzheim)", 48.89, 8.70, 0.01),
                   f"{stem()} Scheideanstalt GmbH", commodity="gold", yield_=0.99)

    # ------------------------------------------------------------------ bullion banks
    banks = {
        "GB": [b.actor("bullion_bank", Place("GB", "London (City)", 51.513, -0.089, 0.005), f"{stem()} Bullion Bank plc",
                       commodity="gold", yield_=1.0, keep=0.03) for _ in range(3)],
        "CH": [b.actor("bullion_bank", Place("CH", "Zurich", 47.370, 8.540, 0.005), f"{stem()} Privatbank AG",
                       commodity="gold", yield_=1.0, keep=0.03) for _ in range(2)],
        "NL": [b.actor("bullion_bank", NL["Amsterdam"], f"{stem()} Edelmetaalbank N.V.", commodity="gold", yield_=1.0, keep=0.25)],
        "DE": [b.actor("bullion_bank", Place("DE", "Hesse (Frankfurt am Main)", 50.110, 8.680, 0.01), f"{stem()} Bank AG",
                       commodity="gold", yield_=1.0, keep=0.03)],
    }

    # ------------------------------------------------------------------ manufacturers
    jewel_places = ["Schoonhoven", "Schoonhoven", "Schoonhoven", "Amsterdam", "Amsterdam", "Rotterdam", "Utrecht",
                    "Den Haag", "Arnhem", "Maastricht"]
    jewel = [b.actor("manufacturer", NL[p], f"Edelsmederij {stem()} B.V.", commodity="gold", yield_=0.97, keep=0.8)
             for p in jewel_places]
    m_loop = jewel[0]
    elec_places = ["Eindhoven", "Eindhoven", "Nijmegen", "Venlo", "Enschede", "Eindhoven"]
    elec = [b.actor("manufacturer", NL[p], f"{stem()} {kind} B.V.", commodity="gold", yield_=0.96, keep=0.85)
            for p, kind in zip(elec_places, ["Electronics", "Connectors", "Circuits", "Electronics", "Sensors", "Devices"])]
    foreign = {
        "IN": [b.actor("manufacturer", Place("IN", "Maharashtra (Mumbai)", 18.95, 72.83, 0.01), f"{stem()} Jewels Pvt Ltd",
                       commodity="gold", yield_=0.97, keep=0.08),
               b.actor("manufacturer", Place("IN", "Rajasthan (Jaipur)", 26.91, 75.79, 0.02), f"{stem()} Jewellers Pvt Ltd",
                       commodity="gold", yield_=0.97, keep=0.08),
               b.actor("manufacturer", Place("IN", "Tamil Nadu (Coimbatore)", 11.02, 76.96, 0.02), f"{stem()} Gold Chains Ltd",
                       commodity="gold", yield_=0.97, keep=0.08)],
        "TR": [b.actor("manufacturer", Place("TR", "Istanbul", 41.01, 28.97, 0.02), f"{stem()} Kuyumculuk A.S.",
                       commodity="gold", yield_=0.97, keep=0.12) for _ in range(2)],
        "IT": [b.actor("manufacturer", Place("IT", "Tuscany (Arezzo)", 43.46, 11.88, 0.02), f"{stem()} Oreficeria S.r.l.",
                       commodity="gold", yield_=0.97, keep=0.1),
               b.actor("manufacturer", Place("IT", "Veneto (Vicenza)", 45.55, 11.55, 0.02), f"{stem()} Gioielli S.p.A.",
                       commodity="gold", yield_=0.97, keep=0.1)],
    }

    # ------------------------------------------------------------------ retailers
    retail_cities = ["Amsterdam", "Amsterdam", "Amsterdam", "Rotterdam", "Rotterdam", "Den Haag", "Utrecht", "Utrecht",
                     "Eindhoven", "Groningen", "Tilburg", "Breda", "Zwolle", "Haarlem", "Arnhem", "Maastricht",
                     "Apeldoorn", "Amersfoort", "Leeuwarden", "Almere", "Nijmegen", "Enschede"]
    j_retail = [b.actor("retailer", NL[c], f"Juwelier {stem()}", commodity="gold") for c in retail_cities]
    chains = [b.actor("retailer", NL[c], f"{stem()} Juwelen B.V.", commodity="gold") for c in ["Utrecht", "Amsterdam"]]
    bullion_shops = [b.actor("retailer", NL[c], f"{stem()} Edelmetaalhandel B.V.", commodity="gold")
                     for c in ["Den Haag", "Amersfoort"]]
    e_retail = [b.actor("retailer", NL[c], f"{stem()} Electronics Store B.V.", commodity="gold")
                for c in ["Amsterdam", "Rotterdam", "Eindhoven", "Utrecht", "Groningen", "Tilburg", "Zwolle", "Almere"]]

    # ================================================================== links
    # --- Uganda: sites sell to Kampala exporters; the fourth exporter has no recorded supplier
    ug_buyers = traders["UG"][:3]
    ug_unknown = traders["UG"][3]
    b.connect(asm["UG"], ug_buyers, FAMILY)
    # --- DR Congo: South Kivu and Maniema sites → Bukavu comptoirs, Ituri/Haut-Uele → Bunia
    bukavu, bunia = traders["CD"][:3], traders["CD"][3:]
    north = [a for a in asm["CD"] if asm_area[a].startswith(("Ituri", "Haut-Uele"))]
    b.connect(north, bunia, FAMILY)
    b.connect([a for a in asm["CD"] if a not in north], bukavu, FAMILY)
    # comptoirs export to Kampala and Kigali traders and to Dubai
    for t in bukavu:
        b.link(t, traders["RW"][int(rng.integers(0, 2))], FAMILY, 2.0)
        b.link(t, traders["AE"][int(rng.integers(0, 3))], FAMILY, 1.0)
    b.link(bukavu[0], traders["RW"][1], FAMILY, 1.0, years=(2025,))       # new route in 2025
    for t in bunia:
        b.link(t, ug_buyers[int(rng.integers(0, 3))], FAMILY, 2.0, w2025=1.0)
        b.link(t, traders["AE"][2], FAMILY, 1.0, w2025=2.0)
    # Kampala exporters → Entebbe refinery and Dubai
    for t in ug_buyers:
        b.link(t, ug_ref, FAMILY, 1.0)
        b.link(t, traders["AE"][int(rng.integers(0, 3))], FAMILY, 1.5)
    b.link(ug_unknown, ug_ref, FAMILY, 1.0)
    b.link(ug_unknown, traders["AE"][1], FAMILY, 1.0)
    b.produce(ug_unknown, FAMILY, 350.0)      # ships without any recorded input: unknown origin
    # Kigali traders → Dubai
    for t in traders["RW"]:
        b.link(t, traders["AE"][int(rng.integers(0, 3))], FAMILY, 1.0)
        b.link(t, ae_identified[0], FAMILY, 0.5)
    # Entebbe refinery → Dubai traders (refined gold is exported)
    b.link(ug_ref, traders["AE"][3], FAMILY, 1.0)
    b.link(ug_ref, traders["AE"][4], FAMILY, 1.0)
    # --- Ghana ASM → licensed buyers → Dubai, India, Switzerland
    b.connect(asm["GH"], traders["GH"], FAMILY)
    for t in traders["GH"]:
        b.link(t, traders["AE"][int(rng.integers(0, 5))], FAMILY, 2.0)
        b.link(t, in_ref[2], FAMILY, 1.0)
    b.link(traders["GH"][0], ch[3], FAMILY, 1.0)
    # --- Peru ASM → traders → Switzerland, India, Dubai
    b.connect(asm["PE"], traders["PE"], FAMILY)
    for i, t in enumerate(traders["PE"]):
        b.link(t, ch[i % 2 + 2], FAMILY, 2.0, w2025=0.0 if i == 2 else None)  # trader 3 dropped by its Swiss refiner in 2025
        b.link(t, in_ref[i % 3], FAMILY, 1.0, w2025=3.0 if i == 2 else None)
        b.link(t, traders["AE"][5], FAMILY, 0.5)
    # --- Colombia ASM → C.I. traders → Switzerland, Dubai
    b.connect(asm["CO"], traders["CO"], FAMILY)
    for i, t in enumerate(traders["CO"]):
        b.link(t, ch[(i % 2) * 3], FAMILY, 3.0)    # Mendrisio or Biel
        b.link(t, traders["AE"][6], FAMILY, 0.5)
    # two new certified artisanal sources in Antioquia from 2025
    for _ in range(2):
        a = b.actor("mine_asm", Place("CO", "Antioquia (Segovia-Remedios)", 7.06, -74.70, 0.06),
                    ASM_NAMES["CO"].format(stem=stem()), commodity="gold")
        asm["CO"].append(a)
        asm_kg[a] = float(3 * 18 * rng.lognormal(0, 0.3))
        b.link(a, traders["CO"][0], FAMILY, years=(2025,))
    # --- Sahel and Tanzania ASM → local traders → Dubai traders and refiners
    for c in ("BF", "ML", "TZ"):
        b.connect(asm[c], traders[c], FAMILY, (1, 1))
        for t in traders[c]:
            b.link(t, traders["AE"][int(rng.integers(0, 7))], FAMILY, 2.0)
            b.link(t, ae_identified[int(rng.integers(1, 4))], FAMILY, 1.0)
    b.link(traders["TZ"][0], in_ref[0], FAMILY, 1.0)
    b.link(traders["TZ"][1], traders["AE"][7], FAMILY, 1.5)
    b.link(traders["GH"][3], traders["AE"][7], FAMILY, 1.0)
    # --- Dubai traders → UAE refiners (incl. the unidentified one), Swiss and Indian refiners, Istanbul
    for i, t in enumerate(traders["AE"]):
        b.link(t, ae_identified[i % 4], FAMILY, 2.0)
        b.link(t, ch[i % 5], FAMILY, 1.5)
        b.link(t, in_ref[i % 3], FAMILY, 1.0)
        if i in (1, 2, 6):
            b.link(t, ae_unidentified, FAMILY, 1.5)
        if i in (0, 3, 7):
            b.link(t, tr_ref, FAMILY, 1.0)
    gap_trader = traders["AE"][2]
    b.gap(gap_trader, 1.42)   # ships ~42 % more than it receives

    # --- large-scale mines → refiners under contract
    contract = [ch[0], ch[2], ch[3], ch[4]]       # the loop refiner is added below
    n = 0
    for c, mines in lsm.items():
        for i, m in enumerate(mines):
            if c == "ZA":
                b.link(m, za_ref, FAMILY)
            elif c in ("CA", "US"):
                b.link(m, contract[(i + 2) % 4], FAMILY, 3.0)
                b.link(m, de_ref, FAMILY, 1.0)
            elif c == "TZ" and i == 0:
                b.link(m, za_ref, FAMILY)
            else:
                b.link(m, contract[n % 4], FAMILY)
                n += 1
    # the loop refiner also gets mine gold (most of its throughput)
    b.link(lsm["PE"][0], ch_loop, FAMILY, 1.0)
    b.link(lsm["GH"][2], ch_loop, FAMILY, 1.0, w2025=1.3)
    b.link(lsm["CA"][1], ch_loop, FAMILY, 1.0)

    # --- recyclers
    b.link(m_loop, r_loop, FAMILY, 0.4)             # production scrap of the loop manufacturer
    b.link(r_loop, ch_loop, FAMILY)
    b.link(r_oldgold, ch[0], FAMILY, 2.0)
    b.link(r_oldgold, ch[4], FAMILY, 1.0)
    for e in elec:
        b.link(e, r_ewaste, FAMILY, 0.08)          # electronics production scrap
    b.link(r_ewaste, be_ref, FAMILY)
    b.link(r_ch[0], ch[4], FAMILY)
    b.link(r_ch[1], ch[0], FAMILY)
    b.link(r_ch[1], ch[3], FAMILY)
    b.link(r_be, be_ref, FAMILY)
    b.link(r_de, de_ref, FAMILY)

    # --- refiners → bullion banks, manufacturers
    for i, r in enumerate(ch):
        for bank in banks["GB"] + banks["CH"]:
            b.link(r, bank, FAMILY, 40.0 * rng.uniform(0.5, 1.5))
        if r != ch_loop:
            b.link(r, banks["NL"][0], FAMILY, 6.0)
    b.link(ch_loop, m_loop, FAMILY, 0.5)           # fine grain back to the loop manufacturer
    b.link(ch[0], m_loop, FAMILY, 0.8)
    for j, m in enumerate(jewel[1:]):
        r = ch[[0, 2, 3, 4][j % 4]]
        b.link(r, m, FAMILY, 0.4 * rng.uniform(0.6, 1.4))
    for m in foreign["IT"]:
        b.link(ch[0], m, FAMILY, 1.5)
        b.link(ch[3], m, FAMILY, 1.0)
    b.link(de_ref, banks["DE"][0], FAMILY, 20.0)
    for e in elec:
        b.link(de_ref, e, FAMILY, 1.0 * rng.uniform(0.5, 1.5))
    b.link(be_ref, banks["GB"][0], FAMILY, 10.0)
    b.link(za_ref, banks["GB"][1], FAMILY, 3.0)
    b.link(za_ref, banks["GB"][2], FAMILY, 2.0)
    for r in ae_identified:
        for m in foreign["IN"]:
            b.link(r, m, FAMILY, 1.0)
        for m in foreign["TR"]:
            b.link(r, m, FAMILY, 0.6)
    for m in foreign["TR"]:
        b.link(ae_unidentified, m, FAMILY, 1.0)
    b.link(ae_unidentified, foreign["IN"][0], FAMILY, 1.0)
    for r in in_ref:
        for m in foreign["IN"]:
            b.link(r, m, FAMILY, 1.0)
    for m in foreign["TR"]:
        b.link(tr_ref, m, FAMILY, 1.5)
    # Dubai traders also sell refined bars straight to Indian jewellers
    b.link(traders["AE"][3], foreign["IN"][0], FAMILY, 0.5)
    b.link(traders["AE"][4], foreign["IN"][1], FAMILY, 0.5)
    # --- bullion banks → Dutch manufacturers and bullion shops
    bank_customers = jewel[1:]       # not the loop workshop, not the electronics makers: one loop only
    for bank in banks["GB"] + banks["CH"] + banks["DE"]:
        for m in pick(bank_customers, 3):
            b.link(bank, m, FAMILY, 1.0)
    for m in pick(jewel[1:], 4):
        b.link(banks["NL"][0], m, FAMILY, 1.0)
    for shop in bullion_shops:
        b.link(banks["NL"][0], shop, FAMILY, 1.5)
        b.link(banks["GB"][0], shop, FAMILY, 0.3)

    # --- manufacturers → retailers
    for m in jewel:
        for r in pick(j_retail + chains, int(rng.integers(3, 6))):
            b.link(m, r, FAMILY, 1.0)
    for c in chains:
        b.link(jewel[2], c, FAMILY, 2.0)
    for m in foreign["IT"]:
        for r in pick(j_retail, 4):
            b.link(m, r, FAMILY, 1.0)
    for m in foreign["IN"]:
        for r in pick(j_retail, 3):
            b.link(m, r, FAMILY, 1.0)
        b.link(m, chains[1], FAMILY, 2.0)
    # the Utrecht chain drops its Turkish supplier in 2025 and buys more from Schoonhoven
    b.link(foreign["TR"][0], chains[0], FAMILY, 2.0, years=(2024,))
    b.link(jewel[1], chains[0], FAMILY, 1.0, w2025=2.5)
    for m in foreign["TR"]:
        for r in pick(j_retail, 3):
            b.link(m, r, FAMILY, 1.0)
    for e in elec:
        for r in pick(e_retail, int(rng.integers(2, 4))):
            b.link(e, r, FAMILY, 1.0)
    # every shop has at least one recorded supplier
    supplied = {l.target for l in b.links}
    for r in j_retail + chains:
        if r not in supplied:
            b.link(jewel[int(rng.integers(1, len(jewel)))], r, FAMILY, 1.0)
    for r in e_retail:
        if r not in supplied:
            b.link(elec[int(rng.integers(0, len(elec)))], r, FAMILY, 1.0)

    # ================================================================== production
    for a, kg in asm_kg.items():
        years = (2025,) if a in asm["CO"][-2:] else (2024, 2025)
        factor = 0.7 if b.by_id[a]["country"] == "ML" else 1.0       # insecurity cuts Malian output in 2025
        b.produce(a, FAMILY, kg, years=years, change=0.2, factor2025=factor)
    for a, kg in lsm_kg.items():
        factor = 1.15 if a == lsm["GH"][2] else 1.0
        b.produce(a, FAMILY, kg, change=0.06, factor2025=factor)
    b.produce(r_oldgold, FAMILY, 650.0)
    b.produce(r_ch[0], FAMILY, 2200.0)
    b.produce(r_ch[1], FAMILY, 1500.0)
    b.produce(r_be, FAMILY, 900.0)
    b.produce(r_de, FAMILY, 1600.0)

    # ================================================================== documented situations
    is_ = lambda a, stage, country=None: b.stage_of(a) == stage and (country is None or b.by_id[a]["country"] == country)
    b.missing_volume(2025, lambda s, t: is_(s, "mine_asm", "CD") and is_(t, "trader"))
    b.missing_volume(2024, lambda s, t: is_(s, "manufacturer", "NL") and s != m_loop and is_(t, "retailer"))

    b.loose_ends({"retailer"})
    flows = b.solve()
    actors = b.actors_frame()
    flows_out = b.flows_frame(flows)
    write_chain(OUT, actors, flows_out, volume_decimals=1)
    summary("gold", actors, flows_out)
    print("  documented:", {"unknown_origin": ug_unknown, "mass_balance_gap": gap_trader,
                            "unidentified_refiner": ae_unidentified, "loop": [m_loop, r_loop, ch_loop],
                            "missing_volume": b.missing})


if __name__ == "__main__":
    build()
