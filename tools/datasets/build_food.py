"""Build ``datasets/food``: farms → cooperatives → processors → traders → Dutch manufacturers → retailers,
for cocoa, oil palm, soya, coffee, bananas and cattle, with EUDR plots for the farms in EUDR scope.

Run from the repository root: ``python tools/datasets/build_food.py``.
Deterministic (seed below). Volumes are tonnes (cocoa beans and products,
fresh fruit bunches then palm oil, soya beans then meal and oil, green coffee,
bananas, live weight then beef). See ``datasets/food/README.md``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from chainkit import (ROOT, ChainBuilder, Place, jitter, offset_m, point_geometry, polygon_geometry, polygon_ring,
                      ring_area_ha, summary, write_chain, write_plots)

SEED = 20240504
OUT = ROOT / "datasets" / "food"
STAGES = ["farm", "cooperative", "processor", "trader", "manufacturer", "retailer"]
CODES = {"farm": "FRM", "cooperative": "COP", "processor": "PRC", "trader": "TRD", "manufacturer": "MFG",
         "retailer": "RTL"}
EUDR = {"cocoa", "oil_palm", "soya", "coffee", "cattle"}

# Farm types: plots per farm (choices), median plot area (ha), lognormal sigma, clip, yield (t per ha per year)
KINDS = {
    "cocoa_small": ([1, 1, 1, 1, 1, 2], 3.2, 0.40, (0.8, 9.0), 0.55),
    "cocoa_ec_small": ([1], 3.0, 0.40, (1.2, 8.0), 0.60),
    "palm_small": ([1, 1, 1, 1, 2], 3.2, 0.35, (1.5, 9.0), 13.0),
    "palm_estate": ([1, 2, 2], 900.0, 0.45, (250.0, 2500.0), 18.0),
    "soy": ([1, 1, 2], 1300.0, 0.45, (300.0, 3200.0), 3.5),
    "soy_ar": ([1, 2], 700.0, 0.45, (200.0, 1800.0), 3.0),
    "soy_us": ([1, 2], 350.0, 0.45, (120.0, 900.0), 3.4),
    "coffee_small": ([1], 1.8, 0.45, (0.5, 6.0), 1.1),
    "coffee_et": ([1], 1.3, 0.45, (0.4, 3.5), 0.6),
    "coffee_vn": ([1], 2.2, 0.40, (0.8, 6.0), 2.6),
    "coffee_estate": ([1, 1, 2], 10.0, 0.40, (4.5, 30.0), 1.8),
    "cattle": ([1, 1, 2], 2400.0, 0.50, (500.0, 6000.0), 0.11),
    "cattle_ar": ([1], 1300.0, 0.45, (400.0, 3000.0), 0.15),
    "banana": ([1], 180.0, 0.45, (50.0, 450.0), 42.0),
}

# Farms: (family, place, count, kind, name template)
FARMS = [
    ("cocoa", Place("CI", "Nawa (Soubre)", 5.79, -6.61, 0.12), 8, "cocoa_small", "Plantation {stem}"),
    ("cocoa", Place("CI", "San-Pedro (Meagui)", 5.40, -6.56, 0.10), 5, "cocoa_small", "Plantation {stem}"),
    ("cocoa", Place("CI", "Haut-Sassandra (Daloa)", 6.88, -6.45, 0.12), 5, "cocoa_small", "Plantation {stem}"),
    ("cocoa", Place("CI", "Guemon (Duekoue)", 6.74, -7.35, 0.10), 4, "cocoa_small", "Plantation {stem}"),
    ("cocoa", Place("CI", "Goh (Gagnoa)", 6.13, -5.95, 0.10), 4, "cocoa_small", "Plantation {stem}"),
    ("cocoa", Place("CI", "Loh-Djiboua (Divo)", 5.84, -5.36, 0.10), 4, "cocoa_small", "Plantation {stem}"),
    ("cocoa", Place("GH", "Western North (Sefwi Wiawso)", 6.21, -2.49, 0.10), 4, "cocoa_small", "{stem} Cocoa Farm"),
    ("cocoa", Place("GH", "Ahafo (Goaso)", 6.80, -2.52, 0.10), 3, "cocoa_small", "{stem} Cocoa Farm"),
    ("cocoa", Place("GH", "Ashanti (Bekwai)", 6.30, -1.55, 0.10), 3, "cocoa_small", "{stem} Cocoa Farm"),
    ("cocoa", Place("GH", "Eastern (Suhum)", 6.10, -0.45, 0.08), 2, "cocoa_small", "{stem} Cocoa Farm"),
    ("cocoa", Place("EC", "Los Rios (Quevedo)", -1.03, -79.46, 0.08), 1, "cocoa_ec_small", "Finca {stem}"),
    ("cocoa", Place("EC", "Manabi (El Carmen)", -0.27, -79.46, 0.08), 1, "cocoa_ec_small", "Finca {stem}"),
    ("cocoa", Place("EC", "Esmeraldas (Quininde)", 0.33, -79.47, 0.08), 2, "cocoa_ec_small", "Finca {stem}"),
    ("cocoa", Place("EC", "Guayas (Naranjal)", -2.67, -79.62, 0.06), 1, "cocoa_ec_small", "Finca {stem}"),
    ("oil_palm", Place("ID", "Riau (Pelalawan)", 0.35, 101.90, 0.15), 3, "palm_small", "Kebun Sawit {stem}"),
    ("oil_palm", Place("ID", "Riau (Siak)", 0.80, 102.05, 0.12), 2, "palm_estate", "PT {stem} Plantation"),
    ("oil_palm", Place("ID", "Jambi (Muaro Jambi)", -1.61, 103.61, 0.15), 3, "palm_small", "Kebun Sawit {stem}"),
    ("oil_palm", Place("ID", "South Sumatra (Musi Banyuasin)", -2.88, 103.85, 0.15), 2, "palm_small", "Kebun Sawit {stem}"),
    ("oil_palm", Place("ID", "North Sumatra (Labuhanbatu)", 2.10, 99.83, 0.12), 2, "palm_estate", "PT {stem} Agro"),
    ("oil_palm", Place("ID", "West Kalimantan (Sanggau)", 0.13, 110.59, 0.15), 2, "palm_small", "Kebun Sawit {stem}"),
    ("oil_palm", Place("ID", "West Kalimantan (Ketapang)", -1.83, 109.98, 0.15), 1, "palm_estate", "PT {stem} Lestari"),
    ("oil_palm", Place("ID", "Central Kalimantan (Kotawaringin Timur)", -2.54, 112.95, 0.15), 1, "palm_estate", "PT {stem} Sawit"),
    ("oil_palm", Place("ID", "Central Kalimantan (Kotawaringin Timur)", -2.54, 112.95, 0.15), 1, "palm_small", "Kebun Sawit {stem}"),
    ("oil_palm", Place("MY", "Sabah (Lahad Datu)", 5.03, 118.34, 0.12), 1, "palm_estate", "{stem} Estate Sdn Bhd"),
    ("oil_palm", Place("MY", "Sabah (Lahad Datu)", 5.03, 118.34, 0.12), 1, "palm_small", "Ladang {stem}"),
    ("oil_palm", Place("MY", "Sabah (Sandakan)", 5.70, 117.90, 0.12), 1, "palm_small", "Ladang {stem}"),
    ("oil_palm", Place("MY", "Sarawak (Miri)", 4.20, 114.10, 0.12), 1, "palm_estate", "{stem} Plantation Sdn Bhd"),
    ("oil_palm", Place("MY", "Sarawak (Bintulu)", 3.17, 113.10, 0.10), 1, "palm_estate", "{stem} Oil Palm Sdn Bhd"),
    ("oil_palm", Place("MY", "Johor (Kluang)", 2.03, 103.32, 0.10), 2, "palm_small", "Ladang {stem}"),
    ("oil_palm", Place("MY", "Pahang (Maran)", 3.50, 102.90, 0.10), 1, "palm_estate", "{stem} Estate Sdn Bhd"),
    ("soya", Place("BR", "Mato Grosso (Sorriso)", -12.55, -55.71, 0.25), 2, "soy", "Fazenda {stem}"),
    ("soya", Place("BR", "Mato Grosso (Sinop)", -11.86, -55.51, 0.20), 1, "soy", "Fazenda {stem}"),
    ("soya", Place("BR", "Mato Grosso (Lucas do Rio Verde)", -13.05, -55.91, 0.20), 2, "soy", "Fazenda {stem}"),
    ("soya", Place("BR", "Mato Grosso (Nova Mutum)", -13.84, -56.08, 0.20), 1, "soy", "Fazenda {stem}"),
    ("soya", Place("BR", "Mato Grosso (Querencia)", -12.60, -52.18, 0.25), 2, "soy", "Fazenda {stem}"),
    ("soya", Place("BR", "Mato Grosso (Campo Novo do Parecis)", -13.67, -57.89, 0.20), 1, "soy", "Fazenda {stem}"),
    ("soya", Place("BR", "Maranhao (Balsas)", -7.53, -46.04, 0.25), 2, "soy", "Fazenda {stem}"),
    ("soya", Place("BR", "Bahia (Luis Eduardo Magalhaes)", -12.09, -45.79, 0.25), 2, "soy", "Fazenda {stem}"),
    ("soya", Place("BR", "Piaui (Urucui)", -7.23, -44.55, 0.25), 2, "soy", "Fazenda {stem}"),
    ("soya", Place("BR", "Goias (Rio Verde)", -17.80, -50.93, 0.20), 1, "soy", "Fazenda {stem}"),
    ("soya", Place("BR", "Tocantins (Porto Nacional)", -10.71, -48.42, 0.20), 1, "soy", "Fazenda {stem}"),
    ("soya", Place("AR", "Cordoba (Marcos Juarez)", -32.70, -62.10, 0.20), 2, "soy_ar", "Establecimiento {stem}"),
    ("soya", Place("AR", "Santa Fe (Venado Tuerto)", -33.75, -61.97, 0.20), 2, "soy_ar", "Establecimiento {stem}"),
    ("soya", Place("AR", "Buenos Aires (Pergamino)", -33.89, -60.57, 0.20), 2, "soy_ar", "Establecimiento {stem}"),
    ("soya", Place("US", "Iowa (Story County)", 42.03, -93.62, 0.25), 3, "soy_us", "{stem} Family Farms"),
    ("soya", Place("US", "Illinois (Champaign County)", 40.12, -88.24, 0.25), 3, "soy_us", "{stem} Grain Farm"),
    ("coffee", Place("BR", "Minas Gerais (Sul de Minas)", -21.45, -45.47, 0.15), 2, "coffee_estate", "Sitio {stem}"),
    ("coffee", Place("BR", "Minas Gerais (Cerrado Mineiro)", -18.94, -46.99, 0.15), 2, "coffee_estate", "Fazenda {stem}"),
    ("coffee", Place("BR", "Espirito Santo (Sao Gabriel da Palha)", -19.02, -40.54, 0.10), 1, "coffee_estate", "Sitio {stem}"),
    ("coffee", Place("CO", "Huila (Pitalito)", 1.85, -76.05, 0.08), 3, "coffee_small", "Finca {stem}"),
    ("coffee", Place("CO", "Antioquia (Andes)", 5.66, -75.88, 0.06), 2, "coffee_small", "Finca {stem}"),
    ("coffee", Place("CO", "Caldas (Chinchina)", 4.98, -75.60, 0.05), 2, "coffee_small", "Finca {stem}"),
    ("coffee", Place("CO", "Cauca (Popayan)", 2.44, -76.61, 0.08), 2, "coffee_small", "Finca {stem}"),
    ("coffee", Place("CO", "Narino (La Union)", 1.60, -77.13, 0.05), 1, "coffee_small", "Finca {stem}"),
    ("coffee", Place("ET", "Sidama (Bensa)", 6.56, 38.84, 0.10), 3, "coffee_et", "{stem} Coffee Farm"),
    ("coffee", Place("ET", "Gedeo (Yirgacheffe)", 6.16, 38.20, 0.06), 3, "coffee_et", "{stem} Coffee Farm"),
    ("coffee", Place("ET", "Jimma (Agaro)", 7.67, 36.83, 0.10), 2, "coffee_et", "{stem} Coffee Farm"),
    ("coffee", Place("ET", "Guji (Shakiso)", 5.90, 38.90, 0.08), 2, "coffee_et", "{stem} Coffee Farm"),
    ("coffee", Place("VN", "Dak Lak (Buon Ma Thuot)", 12.67, 108.04, 0.15), 3, "coffee_vn", "Trang trai ca phe {stem}"),
    ("coffee", Place("VN", "Lam Dong (Di Linh)", 11.58, 108.07, 0.10), 3, "coffee_vn", "Trang trai ca phe {stem}"),
    ("coffee", Place("VN", "Gia Lai (Pleiku)", 13.98, 108.00, 0.10), 2, "coffee_vn", "Trang trai ca phe {stem}"),
    ("cattle", Place("BR", "Para (Sao Felix do Xingu)", -6.64, -51.99, 0.30), 2, "cattle", "Fazenda {stem}"),
    ("cattle", Place("BR", "Para (Maraba)", -5.37, -49.12, 0.25), 2, "cattle", "Fazenda {stem}"),
    ("cattle", Place("BR", "Para (Redencao)", -8.03, -50.03, 0.20), 1, "cattle", "Fazenda {stem}"),
    ("cattle", Place("BR", "Para (Novo Progresso)", -7.04, -55.42, 0.20), 1, "cattle", "Fazenda {stem}"),
    ("cattle", Place("BR", "Mato Grosso (Juara)", -11.26, -57.52, 0.20), 1, "cattle", "Fazenda {stem}"),
    ("cattle", Place("BR", "Mato Grosso (Alta Floresta)", -9.87, -56.09, 0.20), 1, "cattle", "Fazenda {stem}"),
    ("cattle", Place("BR", "Mato Grosso do Sul (Aquidauana)", -20.47, -55.79, 0.25), 2, "cattle", "Fazenda {stem}"),
    ("cattle", Place("AR", "Buenos Aires (Ayacucho)", -37.15, -58.49, 0.20), 2, "cattle_ar", "Estancia {stem}"),
    ("cattle", Place("AR", "La Pampa (General Pico)", -35.66, -63.76, 0.20), 1, "cattle_ar", "Estancia {stem}"),
    ("cattle", Place("AR", "Entre Rios (Gualeguay)", -33.15, -59.35, 0.20), 2, "cattle_ar", "Estancia {stem}"),
    ("bananas", Place("EC", "El Oro (Machala)", -3.26, -79.90, 0.06), 4, "banana", "Bananera {stem}"),
    ("bananas", Place("EC", "Los Rios (Babahoyo)", -1.80, -79.53, 0.08), 3, "banana", "Bananera {stem}"),
    ("bananas", Place("EC", "Guayas (Milagro)", -2.13, -79.59, 0.06), 3, "banana", "Bananera {stem}"),
    ("bananas", Place("CO", "Antioquia (Uraba, Apartado)", 7.85, -76.62, 0.06), 4, "banana", "Finca Bananera {stem}"),
    ("bananas", Place("CO", "Magdalena (Zona Bananera)", 10.74, -74.17, 0.05), 2, "banana", "Finca {stem}"),
    ("bananas", Place("CR", "Limon (Siquirres-Matina)", 10.09, -83.40, 0.07), 5, "banana", "Finca {stem} S.A."),
]


@dataclass
class Plot:
    plot_id: str
    actor_id: str
    lat: float
    lon: float
    area_ha: float
    polygon: bool
    ring: list = field(default_factory=list)
    loss: float = 0.0
    extra: dict = field(default_factory=dict)
    decimals: int = 6
    swap: bool = False
    closed: bool = True

    def feature(self) -> dict:
        props = {"plot_id": self.plot_id, "actor_id": self.actor_id, "area_ha": round(self.area_ha, 2),
                 "forest_loss_ha_after_2020": round(self.loss, 1)}
        props.update(self.extra)
        if self.polygon:
            geometry = polygon_geometry(self.ring, decimals=self.decimals, closed=self.closed)
        else:
            geometry = point_geometry(self.lat, self.lon, decimals=self.decimals, swap=self.swap)
        return {"properties": props, "geometry": geometry}


def P(country, region, lat, lon, spread=0.02):
    return Place(country, region, lat, lon, spread)


def build() -> None:
    b = ChainBuilder("food", "FOD", SEED, unit="t", decimals=1, stage_codes=CODES, stage_order=STAGES,
                     chain_starts={"farm"})
    rng = b.rng
    stem = b.names.stem

    # ================================================================== farms and plots
    farms: dict[tuple[str, str], list[str]] = {}      # (family, region) → farm ids
    plots: list[Plot] = []
    placed: list[tuple[float, float, float]] = []     # lat, lon, radius in m of farms with large plots
    plot_counter: dict[str, int] = {}

    def place_farm(place: Place, radius_m: float) -> tuple[float, float]:
        for attempt in range(400):
            # widen the search area step by step when the region is crowded with large farms
            wider = Place(place.country, place.region, place.lat, place.lon, place.spread * (1 + attempt // 100 * 0.5))
            lat, lon = jitter(rng, wider)
            ok = all(math.hypot((lat - la) * 111_320, (lon - lo) * 111_320 * math.cos(math.radians(lat))) > radius_m + r
                     for la, lo, r in placed)
            if ok:
                placed.append((lat, lon, radius_m))
                return lat, lon
        raise RuntimeError(f"no room for a farm in {place.region}")

    for family, place, count, kind, template in FARMS:
        choices, median, sigma, (lo, hi), yield_t = KINDS[kind]
        for _ in range(count):
            n = int(rng.choice(choices))
            areas = [float(min(max(median * rng.lognormal(0, sigma), lo), hi)) for _ in range(n)]
            radii = [math.sqrt(a * 10_000 / math.pi) * 1.3 for a in areas]
            spread_m = (sum(2 * r for r in radii) if n > 1 else radii[0]) + 300
            lat, lon = place_farm(place, spread_m)
            f = b.actor("farm", place, template.format(stem=stem()), commodity=family, at=(lat, lon))
            farms.setdefault((family, place.region), []).append(f)
            b.produce(f, family, sum(areas) * yield_t, change=0.1)
            if family not in EUDR:
                continue
            start = rng.uniform(0, 2 * math.pi)
            for k, (area, r) in enumerate(zip(areas, radii)):
                if n == 1:
                    dist, ang = rng.uniform(50, 250), start
                else:
                    dist, ang = radii[0] + r + 200, start + 2 * math.pi * k / n
                clat, clon = offset_m(lat, lon, dist * math.sin(ang), dist * math.cos(ang))
                c = place.country
                plot_counter[c] = plot_counter.get(c, 0) + 1
                pid = f"PLT-{c}-{plot_counter[c]:04d}"
                if area > 4:
                    ring = polygon_ring(rng, clat, clon, area)
                    plots.append(Plot(pid, f, clat, clon, ring_area_ha(ring), True, ring))
                else:
                    plots.append(Plot(pid, f, clat, clon, area, False))

    def region_farms(family, prefix):
        return [f for (fam, r), ids in farms.items() if fam == family and r.startswith(prefix) for f in ids]

    def country_farms(family, country):
        return [f for (fam, r), ids in farms.items() if fam == family for f in ids if b.by_id[f]["country"] == country]

    def plots_of(farm):
        return [p for p in plots if p.actor_id == farm]

    # ================================================================== cooperatives
    def coop(place, template, family):
        return b.actor("cooperative", place, template.format(stem=stem()), commodity=family, yield_=0.99, keep=1.0)

    c_ci = {r: coop(P("CI", r, la, lo), "Cooperative agricole {stem} (SCOOPS)", "cocoa") for r, la, lo in [
        ("Nawa (Soubre)", 5.79, -6.61), ("San-Pedro (Meagui)", 5.40, -6.56), ("Haut-Sassandra (Daloa)", 6.88, -6.45),
        ("Guemon (Duekoue)", 6.74, -7.35), ("Goh (Gagnoa)", 6.13, -5.95)]}
    c_ci_nawa2 = coop(P("CI", "Nawa (Soubre)", 5.79, -6.61), "Societe cooperative {stem} de Soubre", "cocoa")
    c_gh = [coop(P("GH", r, la, lo), "{stem} Cocoa Farmers Union", "cocoa") for r, la, lo in [
        ("Western North (Sefwi Wiawso)", 6.21, -2.49), ("Ahafo (Goaso)", 6.80, -2.52), ("Ashanti (Kumasi)", 6.69, -1.62)]]
    c_ec = [coop(P("EC", "Los Rios (Quevedo)", -1.03, -79.46), "Asociacion de Cacaoteros {stem}", "cocoa"),
            coop(P("EC", "Esmeraldas (Quininde)", 0.33, -79.47), "Asociacion {stem} de Cacao Fino", "cocoa")]
    c_id = [coop(P("ID", "Riau (Pelalawan)", 0.40, 101.85), "Koperasi Unit Desa {stem}", "oil_palm"),
            coop(P("ID", "Jambi (Muaro Jambi)", -1.61, 103.61), "Koperasi Sawit {stem}", "oil_palm")]
    c_soy = [coop(P("BR", "Goias (Rio Verde)", -17.80, -50.93), "Cooperativa Agroindustrial {stem}", "soya"),
             coop(P("BR", "Mato Grosso (Sorriso)", -12.55, -55.71), "Cooperativa {stem} do Mato Grosso", "soya"),
             coop(P("AR", "Cordoba (Marcos Juarez)", -32.70, -62.10), "Cooperativa Agricola {stem} Ltda.", "soya"),
             coop(P("US", "Iowa (Story County)", 42.03, -93.62), "{stem} Farmers Cooperative", "soya")]
    c_cof = {"CO-Huila": coop(P("CO", "Huila (Pitalito)", 1.85, -76.05), "Cooperativa de Caficultores {stem}", "coffee"),
             "CO-Antioquia": coop(P("CO", "Antioquia (Andes)", 5.66, -75.88), "Cooperativa Cafetera {stem}", "coffee"),
             "CO-South": coop(P("CO", "Cauca (Popayan)", 2.44, -76.61), "Asociacion de Productores {stem}", "coffee"),
             "ET-Sidama": coop(P("ET", "Sidama (Hawassa)", 7.06, 38.48), "{stem} Coffee Farmers Cooperative Union", "coffee"),
             "ET-Gedeo": coop(P("ET", "Gedeo (Yirgacheffe)", 6.16, 38.20), "{stem} Coffee Farmers Cooperative Union", "coffee"),
             "ET-Oromia": coop(P("ET", "Oromia (Jimma)", 7.67, 36.83), "{stem} Cooperative Union", "coffee"),
             "VN": coop(P("VN", "Dak Lak (Buon Ma Thuot)", 12.67, 108.04), "Hop tac xa ca phe {stem}", "coffee"),
             "BR": coop(P("BR", "Minas Gerais (Varginha)", -21.55, -45.43), "Cooperativa dos Cafeicultores {stem}", "coffee")}
    c_ban = [coop(P("EC", "El Oro (Machala)", -3.26, -79.96), "Asociacion de Bananeros {stem}", "bananas"),
             coop(P("CO", "Magdalena (Zona Bananera)", 10.74, -74.17), "Asociacion de Pequenos Productores {stem}", "bananas")]

    # ================================================================== processors
    def proc(place, template, family, yield_, keep):
        return b.actor("processor", place, template.format(stem=stem()), commodity=family, yield_=yield_, keep=keep)

    g_ci = [proc(P("CI", "San-Pedro", 4.76, -6.64, 0.01), "{stem} Cocoa Processing CI", "cocoa", 0.8, 0.9),
            proc(P("CI", "Abidjan", 5.30, -4.01, 0.02), "Societe Ivoirienne de Transformation {stem}", "cocoa", 0.8, 0.9)]
    g_gh = proc(P("GH", "Greater Accra (Tema)", 5.67, -0.01, 0.01), "{stem} Cocoa Processing Ghana Ltd", "cocoa", 0.8, 0.9)
    g_ec = proc(P("EC", "Guayas (Duran)", -2.17, -79.83, 0.01), "Procesadora de Cacao {stem} S.A.", "cocoa", 0.8, 0.9)
    g_nl = [proc(P("NL", "Noord-Holland (Zaandam)", 52.44, 4.81, 0.01), "{stem} Cocoa B.V.", "cocoa", 0.8, 0.9),
            proc(P("NL", "Noord-Holland (Amsterdam Westpoort)", 52.41, 4.80, 0.01), "{stem} Cacao Maalderij B.V.", "cocoa", 0.8, 0.9),
            proc(P("NL", "Noord-Holland (Wormer)", 52.50, 4.80, 0.01), "{stem} Cocoa Products B.V.", "cocoa", 0.8, 0.9)]
    mill_id = [proc(P("ID", "Riau (Pelalawan)", 0.35, 101.90, 0.10), "PT {stem} Palm Oil Mill", "oil_palm", 0.22, 1.0),
               proc(P("ID", "Riau (Siak)", 0.80, 102.05, 0.08), "PT {stem} Kelapa Sawit Mill", "oil_palm", 0.22, 1.0),
               proc(P("ID", "Jambi", -1.60, 103.55, 0.08), "PT {stem} Jambi Mill", "oil_palm", 0.22, 1.0),
               proc(P("ID", "West Kalimantan (Sanggau)", 0.13, 110.59, 0.08), "PT {stem} Borneo Mill", "oil_palm", 0.22, 1.0),
               proc(P("ID", "Central Kalimantan (Sampit)", -2.54, 112.95, 0.08), "PT {stem} Sampit Mill", "oil_palm", 0.22, 1.0)]
    mill_my = [proc(P("MY", "Sabah (Lahad Datu)", 5.03, 118.34, 0.06), "{stem} Palm Oil Mill Sdn Bhd", "oil_palm", 0.22, 1.0),
               proc(P("MY", "Sarawak (Bintulu)", 3.17, 113.04, 0.06), "{stem} Mill Sdn Bhd", "oil_palm", 0.22, 1.0),
               proc(P("MY", "Johor (Kluang)", 2.03, 103.32, 0.06), "{stem} Kilang Sawit Sdn Bhd", "oil_palm", 0.22, 1.0)]
    ref_id = [proc(P("ID", "Riau (Dumai)", 1.66, 101.43, 0.01), "PT {stem} Refinery Dumai", "oil_palm", 0.93, 0.8),
              proc(P("ID", "North Sumatra (Belawan)", 3.77, 98.68, 0.01), "PT {stem} Oleo Refinery", "oil_palm", 0.93, 0.8)]
    ref_my = proc(P("MY", "Johor (Pasir Gudang)", 1.47, 103.90, 0.01), "{stem} Refinery Sdn Bhd", "oil_palm", 0.93, 0.8)
    ref_nl = [proc(P("NL", "Zuid-Holland (Rotterdam Europoort)", 51.92, 4.20, 0.01), "{stem} Oils & Fats B.V.", "oil_palm", 0.93, 0.6),
              proc(P("NL", "Noord-Holland (Zaandam)", 52.43, 4.84, 0.01), "{stem} Edible Oils B.V.", "oil_palm", 0.93, 0.6)]
    crush_br = proc(P("BR", "Mato Grosso (Rondonopolis)", -16.47, -54.64, 0.02), "{stem} Esmagadora de Soja Ltda.", "soya", 0.97, 0.9)
    crush_ar = proc(P("AR", "Santa Fe (San Lorenzo)", -32.75, -60.73, 0.01), "{stem} Aceitera S.A.", "soya", 0.97, 0.9)
    crush_nl = [proc(P("NL", "Zuid-Holland (Rotterdam Botlek)", 51.88, 4.30, 0.01), "{stem} Soy Crushing B.V.", "soya", 0.97, 0.9),
                proc(P("NL", "Noord-Holland (Amsterdam Westpoort)", 52.40, 4.78, 0.01), "{stem} Oilseed Processing B.V.", "soya", 0.97, 0.9)]
    mill_cof_br = proc(P("BR", "Minas Gerais (Varginha)", -21.55, -45.43, 0.02), "{stem} Beneficiamento de Cafe Ltda.", "coffee", 0.98, 1.0)
    mill_cof_vn = proc(P("VN", "Dak Lak (Buon Ma Thuot)", 12.67, 108.04, 0.03), "Cong ty Che bien Ca phe {stem}", "coffee", 0.98, 1.0)
    ripen = [proc(P("NL", "Zuid-Holland (Barendrecht)", 51.86, 4.53, 0.01), "{stem} Rijperij B.V.", "bananas", 0.96, 0.95),
             proc(P("NL", "Limburg (Venlo)", 51.37, 6.17, 0.01), "{stem} Fruit Ripening B.V.", "bananas", 0.96, 0.95)]
    pack_br = [proc(P("BR", r, la, lo, 0.03), "Frigorifico {stem} Ltda.", "cattle", 0.45, 0.3) for r, la, lo in [
        ("Para (Maraba)", -5.37, -49.12), ("Para (Redencao)", -8.03, -50.03), ("Mato Grosso (Colider)", -10.81, -55.45),
        ("Mato Grosso do Sul (Campo Grande)", -20.47, -54.62)]]
    pack_unknown = proc(P("BR", "Para (Xinguara)", -7.10, -49.94, 0.03), "Frigorifico {stem} do Xingu Ltda.", "cattle", 0.45, 0.3)
    pack_ar = [proc(P("AR", r, la, lo, 0.03), "Frigorifico {stem} S.A.", "cattle", 0.45, 0.35) for r, la, lo in [
        ("Entre Rios (Gualeguaychu)", -33.01, -58.52), ("Buenos Aires (Azul)", -36.78, -59.86)]]

    # ================================================================== traders
    def trader(place, template, family, keep=0.9):
        return b.actor("trader", place, template.format(stem=stem()), commodity=family, yield_=0.998, keep=keep)

    t_ci = [trader(P("CI", "Abidjan", 5.32, -4.02, 0.02), "{stem} Export CI SA", "cocoa"),
            trader(P("CI", "Abidjan", 5.32, -4.02, 0.02), "Compagnie {stem} de Negoce", "cocoa"),
            trader(P("CI", "San-Pedro", 4.75, -6.64, 0.01), "{stem} Commodities San-Pedro SA", "cocoa"),
            trader(P("CI", "San-Pedro", 4.75, -6.64, 0.01), "{stem} Trading CI SARL", "cocoa")]
    t_gh = trader(P("GH", "Greater Accra", 5.60, -0.19, 0.01), "{stem} Cocoa Marketing Company Ltd", "cocoa", keep=0.7)
    t_ec = trader(P("EC", "Guayas (Guayaquil)", -2.19, -79.89, 0.02), "Exportadora {stem} S.A.", "cocoa")
    t_cocoa_int = [trader(P("CH", "Geneva", 46.20, 6.15, 0.01), "{stem} Commodities SA", "cocoa", keep=0.8),
                   trader(P("NL", "Noord-Holland (Amsterdam)", 52.38, 4.90, 0.01), "{stem} Cocoa Trading B.V.", "cocoa", keep=0.9)]
    t_palm = [trader(P("SG", "Singapore", 1.29, 103.85, 0.01), "{stem} Agri Trading Pte Ltd", "oil_palm", keep=0.6),
              trader(P("SG", "Singapore", 1.29, 103.85, 0.01), "{stem} Resources Pte Ltd", "oil_palm", keep=0.6),
              trader(P("MY", "Kuala Lumpur", 3.14, 101.69, 0.01), "{stem} Palm Trading Sdn Bhd", "oil_palm", keep=0.6),
              trader(P("NL", "Zuid-Holland (Rotterdam)", 51.92, 4.48, 0.01), "{stem} Vegetable Oils Trading B.V.", "oil_palm")]
    t_soy = {"Santos": trader(P("BR", "Sao Paulo (Santos)", -23.96, -46.33, 0.01), "{stem} Graos Exportacao Ltda.", "soya", 0.8),
             "SaoLuis": trader(P("BR", "Maranhao (Sao Luis)", -2.53, -44.30, 0.01), "{stem} Terminal Graos S.A.", "soya", 0.8),
             "Barcarena": trader(P("BR", "Para (Barcarena)", -1.51, -48.62, 0.01), "{stem} Comercio de Graos Ltda.", "soya", 0.8),
             "Rosario": trader(P("AR", "Santa Fe (Rosario)", -32.95, -60.64, 0.01), "{stem} Cereales S.A.", "soya", 0.8),
             "NOLA": trader(P("US", "Louisiana (New Orleans)", 29.95, -90.07, 0.02), "{stem} Grain Export LLC", "soya", 0.8),
             "RTM": trader(P("NL", "Zuid-Holland (Rotterdam)", 51.90, 4.40, 0.01), "{stem} Agri Commodities B.V.", "soya", 0.9)}
    t_cof = {"BR": trader(P("BR", "Sao Paulo (Santos)", -23.96, -46.33, 0.01), "{stem} Cafes do Brasil Exportadora Ltda.", "coffee", 0.7),
             "CO1": trader(P("CO", "Antioquia (Medellin)", 6.24, -75.58, 0.02), "{stem} Coffee Exporters S.A.S.", "coffee", 0.7),
             "CO2": trader(P("CO", "Bogota", 4.71, -74.07, 0.02), "Exportadora de Cafe {stem} S.A.", "coffee", 0.7),
             "ET1": trader(P("ET", "Addis Ababa", 9.03, 38.74, 0.02), "{stem} Coffee Export PLC", "coffee", 0.8),
             "ET2": trader(P("ET", "Addis Ababa", 9.01, 38.76, 0.02), "{stem} Trading PLC", "coffee", 0.8),
             "VN": trader(P("VN", "Ho Chi Minh City", 10.82, 106.63, 0.02), "{stem} Coffee Import-Export JSC", "coffee", 0.6),
             "NL": trader(P("NL", "Noord-Holland (Amsterdam)", 52.37, 4.90, 0.01), "{stem} Green Coffee B.V.", "coffee", 0.9),
             "CH": trader(P("CH", "Vaud (Lausanne)", 46.52, 6.63, 0.01), "{stem} Coffee Trading SA", "coffee", 0.7)}
    # 2025: the Dutch importer takes a smaller share of the Ecuadorian exporters' fruit and a larger share of the
    # Colombian exporters' fruit (keep = share of an exporter's volume sold to recorded buyers, per year)
    ec_keep, co_keep = {2024: 0.5, 2025: 0.35}, {2024: 0.5, 2025: 0.7}
    t_ban = {"EC1": trader(P("EC", "Guayas (Guayaquil)", -2.19, -79.89, 0.02), "Exportadora Bananera {stem} S.A.", "bananas", ec_keep),
             "EC2": trader(P("EC", "El Oro (Machala)", -3.26, -79.96, 0.01), "{stem} Fruit Export S.A.", "bananas", ec_keep),
             "CO1": trader(P("CO", "Antioquia (Turbo)", 8.09, -76.73, 0.01), "Comercializadora {stem} S.A.S.", "bananas", co_keep),
             "CO2": trader(P("CO", "Magdalena (Santa Marta)", 11.24, -74.20, 0.01), "C.I. {stem} S.A.S.", "bananas", co_keep),
             "CR": trader(P("CR", "Limon", 10.00, -83.03, 0.01), "Exportadora {stem} de Costa Rica S.A.", "bananas", 0.5),
             "NL": trader(P("NL", "Zeeland (Vlissingen)", 51.44, 3.60, 0.01), "{stem} Fruit Import B.V.", "bananas", 0.9)}
    t_meat = {"BR": trader(P("BR", "Sao Paulo", -23.55, -46.63, 0.02), "{stem} Carnes Exportacao Ltda.", "cattle", 0.5),
              "AR": trader(P("AR", "Buenos Aires", -34.60, -58.38, 0.02), "{stem} Carnes S.A.", "cattle", 0.5),
              "NL1": trader(P("NL", "Noord-Brabant (Oss)", 51.77, 5.52, 0.01), "{stem} Meat Import B.V.", "cattle", 0.9),
              "NL2": trader(P("NL", "Noord-Brabant (Oss)", 51.76, 5.53, 0.01), "{stem} Vleeshandel B.V.", "cattle", 0.9)}

    # ================================================================== manufacturers and retailers (NL)
    def mfg(place, template, commodity=None, keep=0.9):
        return b.actor("manufacturer", place, template.format(stem=stem()), commodity=commodity, yield_=0.97, keep=keep)

    choc = [mfg(P("NL", "Noord-Holland (Zaandam)", 52.44, 4.83, 0.01), "{stem} Chocolade B.V."),
            mfg(P("NL", "Noord-Brabant (Roosendaal)", 51.53, 4.46, 0.01), "{stem} Chocoladefabriek B.V."),
            mfg(P("NL", "Utrecht (Veenendaal)", 52.03, 5.56, 0.01), "{stem} Confectionery B.V.")]
    bakery = [mfg(P("NL", "Overijssel (Zwolle)", 52.515, 6.09, 0.01), "{stem} Koekfabriek B.V."),
              mfg(P("NL", "Gelderland (Nijmegen)", 51.84, 5.86, 0.01), "{stem} Bakery Products B.V.")]
    fats = mfg(P("NL", "Zuid-Holland (Rotterdam)", 51.91, 4.45, 0.01), "{stem} Margarine & Fats B.V.", keep=0.3)
    roasters = [mfg(P("NL", "Friesland (Joure)", 52.97, 5.80, 0.01), "{stem} Koffiebranderij B.V.", "coffee"),
                mfg(P("NL", "Utrecht", 52.09, 5.12, 0.01), "{stem} Coffee Roasters B.V.", "coffee"),
                mfg(P("NL", "Noord-Holland (Amsterdam)", 52.36, 4.92, 0.01), "{stem} Koffie B.V.", "coffee")]
    feed = [mfg(P("NL", "Noord-Brabant (Veghel)", 51.62, 5.55, 0.01), "{stem} Diervoeders B.V.", "soya"),
            mfg(P("NL", "Overijssel (Deventer)", 52.25, 6.16, 0.01), "{stem} Veevoeders B.V.", "soya"),
            mfg(P("NL", "Gelderland (Barneveld)", 52.14, 5.58, 0.01), "{stem} Feed B.V.", "soya")]
    meat = [mfg(P("NL", "Noord-Brabant (Oss)", 51.77, 5.51, 0.01), "{stem} Vleeswaren B.V.", "cattle"),
            mfg(P("NL", "Noord-Brabant (Boxtel)", 51.59, 5.33, 0.01), "{stem} Meat Products B.V.", "cattle")]
    soyfood = mfg(P("NL", "Overijssel (Zwolle)", 52.52, 6.10, 0.01), "{stem} Plantaardig B.V.", "soya")
    manufacturers = choc + bakery + [fats] + roasters + feed + meat + [soyfood]
    retail_places = [("Noord-Holland (Zaandam)", 52.44, 4.83), ("Utrecht (Leusden)", 52.13, 5.43),
                     ("Zuid-Holland (Rotterdam)", 51.92, 4.48), ("Groningen", 53.22, 6.57),
                     ("Noord-Brabant (Eindhoven)", 51.44, 5.48), ("Overijssel (Zwolle)", 52.515, 6.09),
                     ("Gelderland (Apeldoorn)", 52.21, 5.97), ("Noord-Holland (Amsterdam)", 52.37, 4.90),
                     ("Zuid-Holland (Den Haag)", 52.07, 4.30), ("Noord-Brabant (Tilburg)", 51.56, 5.09)]
    rkinds = ["Supermarkten B.V.", "Supermarkten B.V.", "Supermarkten B.V.", "Supermarkten B.V.", "Discount B.V.",
              "Discount B.V.", "Biologische Winkels B.V.", "Foodservice Groothandel B.V.", "Supermarkten B.V.",
              "Versmarkt B.V."]
    retailers = [b.actor("retailer", P("NL", r, la, lo, 0.01), f"{stem()} {k}") for (r, la, lo), k in zip(retail_places, rkinds)]

    # ================================================================== links: cocoa
    C = "cocoa"
    for region, cp in c_ci.items():
        b.connect(region_farms(C, region), [cp], C, (1, 1))
    b.connect(region_farms(C, "Nawa")[:4], [c_ci_nawa2], C, (1, 1))
    b.connect(region_farms(C, "Loh-Djiboua"), [c_ci["Goh (Gagnoa)"]], C, (1, 1))
    b.connect(region_farms(C, "Western North"), c_gh[:1], C, (1, 1))
    b.connect(region_farms(C, "Ahafo"), c_gh[1:2], C, (1, 1))
    b.connect(region_farms(C, "Ashanti") + region_farms(C, "Eastern"), c_gh[2:], C, (1, 1))
    b.connect(country_farms(C, "EC"), c_ec, C, (1, 1))
    ci_coops = list(c_ci.values()) + [c_ci_nawa2]
    b.connect(ci_coops, t_ci, C, (1, 2), 2.0)
    b.connect(ci_coops, g_ci, C, (1, 1), 1.0)
    gap_trader = t_ci[2]                                    # San-Pedro exporter
    b.link(ci_coops[0], gap_trader, C, 1.0)
    b.gap(gap_trader, 1.4)
    for cp in c_gh:
        b.link(cp, t_gh, C)
    b.link(t_gh, g_gh, C, 1.0)
    for cp in c_ec:
        b.link(cp, t_ec, C, 2.0)
        b.link(cp, g_ec, C, 1.0)
    b.connect(t_ci, g_nl + t_cocoa_int, C, (1, 3))
    b.link(t_gh, g_nl[0], C, 2.0)
    b.link(t_gh, t_cocoa_int[0], C, 1.0)
    b.link(t_ec, g_nl[1], C, 1.0, w2025=2.0)                # more Ecuadorian fine-flavour cocoa in 2025
    b.link(t_ec, t_cocoa_int[1], C, 1.0)
    b.connect(t_cocoa_int, g_nl, C, (2, 3))
    b.connect(g_ci + [g_gh, g_ec], choc + bakery, C, (1, 2))
    for g in g_nl:                                        # Dutch grinders supply every chocolate maker
        for m in choc:
            b.link(g, m, C, 2.0 * float(rng.uniform(0.5, 1.5)))
        for m in bakery:
            b.link(g, m, C, 0.5)

    # ================================================================== links: oil palm
    O = "oil_palm"
    small = lambda fs: [f for f in fs if "Kebun" in b.by_id[f]["name"] or "Ladang" in b.by_id[f]["name"]]
    estate = lambda fs: [f for f in fs if f not in small(fs)]
    riau = region_farms(O, "Riau")
    b.connect(small(riau), c_id[:1], O, (1, 1))
    b.connect(small(region_farms(O, "Jambi")) + small(region_farms(O, "South Sumatra")), c_id[1:], O, (1, 1))
    b.link(c_id[0], mill_id[0], O)
    b.link(c_id[1], mill_id[2], O)
    b.connect(estate(riau), mill_id[:2], O, (1, 1))
    b.connect(estate(region_farms(O, "North Sumatra")), mill_id[1:3], O, (1, 1))
    b.connect(region_farms(O, "West Kalimantan"), mill_id[3:4], O, (1, 1))
    b.connect(region_farms(O, "Central Kalimantan"), mill_id[4:], O, (1, 1))
    b.connect(region_farms(O, "Sabah"), mill_my[:1], O, (1, 1))
    b.connect(region_farms(O, "Sarawak"), mill_my[1:2], O, (1, 1))
    b.connect(region_farms(O, "Johor") + region_farms(O, "Pahang"), mill_my[2:], O, (1, 1))
    b.connect(mill_id, ref_id, O, (1, 1), 2.0)
    b.connect(mill_id, t_palm[:2], O, (1, 1), 1.0)
    b.connect(mill_my, [ref_my], O, (1, 1), 2.0)
    b.connect(mill_my, t_palm[2:3], O, (1, 1), 1.0)
    b.connect(ref_id + [ref_my], t_palm[:3], O, (1, 2))
    b.connect(t_palm[:3], ref_nl + t_palm[3:], O, (1, 2))
    b.link(t_palm[3], ref_nl[1], O, 1.0)
    # palm oil mostly goes to fats and margarine; bakeries and confectionery take small amounts for fillings
    for r in ref_nl + t_palm[3:]:
        b.link(r, fats, O, 5.0)
        b.link(r, bakery[0], O, 0.005)
        b.link(r, bakery[1], O, 0.004)
        b.link(r, choc[2], O, 0.002)

    # ================================================================== links: soya
    S = "soya"
    mt = region_farms(S, "Mato Grosso")
    b.connect(mt[:4], c_soy[1:2], S, (1, 1))
    b.connect(region_farms(S, "Goias"), c_soy[:1], S, (1, 1))
    b.connect(mt[4:], [crush_br, t_soy["Santos"], t_soy["Barcarena"]], S, (1, 2))
    b.link(c_soy[1], t_soy["Barcarena"], S, 2.0)
    b.link(c_soy[1], crush_br, S, 1.0)
    b.link(c_soy[0], crush_br, S, 1.0)
    b.link(c_soy[0], t_soy["Santos"], S, 1.0)
    b.connect(region_farms(S, "Maranhao") + region_farms(S, "Piaui") + region_farms(S, "Tocantins"),
              [t_soy["SaoLuis"]], S, (1, 1))
    b.connect(region_farms(S, "Bahia"), [t_soy["Santos"], t_soy["SaoLuis"]], S, (1, 1))
    b.link(crush_br, t_soy["Santos"], S, 1.0)
    b.connect(country_farms(S, "AR"), c_soy[2:3] + [crush_ar], S, (1, 1))
    b.link(c_soy[2], crush_ar, S)
    b.link(crush_ar, t_soy["Rosario"], S)
    b.connect(country_farms(S, "US"), c_soy[3:], S, (1, 1))
    b.link(c_soy[3], t_soy["NOLA"], S)
    for key, w, w25 in [("Santos", 2.0, None), ("Barcarena", 1.5, None), ("SaoLuis", 1.5, 0.4), ("NOLA", 1.0, 2.5)]:
        b.link(t_soy[key], crush_nl[0], S, w, w2025=w25)     # 2025: less Cerrado soy, more US soy
        b.link(t_soy[key], t_soy["RTM"], S, w * 0.5)
    b.link(t_soy["Santos"], crush_nl[1], S, 1.0)
    b.link(t_soy["RTM"], crush_nl[1], S, 1.0)
    b.link(t_soy["Rosario"], t_soy["RTM"], S, 1.0)
    b.connect([t_soy["Rosario"], t_soy["RTM"]], feed, S, (2, 3))   # soybean meal straight to feed mills
    b.connect(crush_nl, feed, S, (2, 3), 2.0)
    for c_ in crush_nl:
        b.link(c_, fats, S, 0.3)
        b.link(c_, soyfood, S, 0.1)
    b.link(crush_nl[0], bakery[0], S, 0.004)              # soya lecithin and oil for biscuits

    # ================================================================== links: coffee
    K = "coffee"
    b.connect(region_farms(K, "Huila"), [c_cof["CO-Huila"]], K, (1, 1))
    b.connect(region_farms(K, "Antioquia") + region_farms(K, "Caldas"), [c_cof["CO-Antioquia"]], K, (1, 1))
    b.connect(region_farms(K, "Cauca") + region_farms(K, "Narino"), [c_cof["CO-South"]], K, (1, 1))
    b.connect(region_farms(K, "Sidama"), [c_cof["ET-Sidama"]], K, (1, 1))
    b.connect(region_farms(K, "Gedeo"), [c_cof["ET-Gedeo"]], K, (1, 1))
    b.connect(region_farms(K, "Jimma") + region_farms(K, "Guji"), [c_cof["ET-Oromia"]], K, (1, 1))
    b.connect(region_farms(K, "Dak Lak"), [c_cof["VN"], mill_cof_vn], K, (1, 1))
    b.connect(region_farms(K, "Lam Dong") + region_farms(K, "Gia Lai"), [mill_cof_vn], K, (1, 1))
    b.link(c_cof["VN"], mill_cof_vn, K)
    b.connect(region_farms(K, "Minas Gerais (Sul"), [c_cof["BR"], mill_cof_br], K, (1, 1))
    b.connect(region_farms(K, "Minas Gerais (Cerrado") + region_farms(K, "Espirito Santo"), [mill_cof_br], K, (1, 1))
    b.link(c_cof["BR"], mill_cof_br, K)
    b.link(mill_cof_br, t_cof["BR"], K)
    b.link(mill_cof_vn, t_cof["VN"], K)
    for cp, ts in [("CO-Huila", ["CO1", "CO2"]), ("CO-Antioquia", ["CO1"]), ("CO-South", ["CO2"]),
                   ("ET-Sidama", ["ET1"]), ("ET-Gedeo", ["ET1", "ET2"]), ("ET-Oromia", ["ET2"])]:
        for t in ts:
            b.link(c_cof[cp], t_cof[t], K)
    for t in ("BR", "CO1", "CO2", "ET1", "ET2", "VN"):
        b.link(t_cof[t], t_cof["NL"], K, 2.0)
        b.link(t_cof[t], t_cof["CH"], K, 1.0)
    b.connect([t_cof["NL"], t_cof["CH"]], roasters, K, (2, 3))
    b.link(t_cof["ET2"], roasters[1], K, 0.6, years=(2025,))          # a roaster buys direct from Ethiopia in 2025

    # ================================================================== links: bananas
    B = "bananas"
    b.connect(region_farms(B, "El Oro")[:2], c_ban[:1], B, (1, 1))
    b.connect(region_farms(B, "El Oro")[2:] + region_farms(B, "Los Rios") + region_farms(B, "Guayas"),
              [t_ban["EC1"], t_ban["EC2"]], B, (1, 1))
    b.link(c_ban[0], t_ban["EC2"], B)
    b.connect(region_farms(B, "Antioquia"), [t_ban["CO1"]], B, (1, 1))
    b.connect(region_farms(B, "Magdalena"), c_ban[1:], B, (1, 1))
    b.link(c_ban[1], t_ban["CO2"], B)
    b.connect(region_farms(B, "Limon"), [t_ban["CR"]], B, (1, 1))
    for key in ("EC1", "EC2", "CO1", "CO2", "CR"):
        b.link(t_ban[key], t_ban["NL"], B, 1.0)
    b.link(t_ban["EC1"], ripen[1], B, 1.0)
    b.link(t_ban["NL"], ripen[0], B, 2.0)
    b.link(t_ban["NL"], ripen[1], B, 1.0)

    # ================================================================== links: cattle
    M = "cattle"
    para = region_farms(M, "Para")
    b.connect(para, pack_br[:2], M, (1, 2))
    b.connect(region_farms(M, "Mato Grosso ("), pack_br[2:3], M, (1, 1))
    b.connect(region_farms(M, "Mato Grosso do Sul"), pack_br[3:], M, (1, 1))
    b.connect(pack_br, [t_meat["BR"]], M, (1, 1))
    b.link(pack_unknown, t_meat["BR"], M, 1.0)
    b.produce(pack_unknown, M, 620.0)                    # beef with no recorded ranch supplier: unknown origin
    b.connect(country_farms(M, "AR"), pack_ar, M, (1, 1))
    b.connect(pack_ar, [t_meat["AR"]], M, (1, 1))
    for t in ("BR", "AR"):
        b.connect([t_meat[t]], [t_meat["NL1"], t_meat["NL2"]], M, (1, 2))
    b.connect([t_meat["NL1"], t_meat["NL2"]], meat, M, (1, 2))

    # ================================================================== manufacturers → retailers, by family
    received: dict[str, set[str]] = {}
    for l in b.links:
        received.setdefault(l.target, set()).add(l.family)
    for m in manufacturers:
        if m in feed:
            continue                                   # compound feed goes to livestock farms, outside the chain
        for fam in sorted(received.get(m, ())):
            b.connect([m], retailers, fam, (2, 5))
    for r in ripen:
        b.connect([r], retailers, B, (3, 6))
    b.link(ripen[0], retailers[0], B, 1.0)
    b.link(ripen[1], retailers[0], B, 1.0)
    supplied = {l.target for l in b.links}
    for r in retailers:
        if r not in supplied:
            b.link(choc[0], r, C, 1.0)
    # actors handling several commodities keep the commodity field empty
    for m in choc + bakery + [fats] + retailers:
        b.by_id[m]["commodity"] = None

    # ================================================================== documented flow situations
    is_ = lambda a, stage: b.stage_of(a) == stage
    b.missing_volume(2025, lambda s, t: is_(s, "cooperative") and b.by_id[s]["commodity"] == "coffee" and is_(t, "trader"))
    b.missing_volume(2024, lambda s, t: is_(s, "manufacturer") and is_(t, "retailer"))

    b.loose_ends({"retailer", "manufacturer"})
    flows = b.solve()
    actors = b.actors_frame()
    flows_out = b.flows_frame(flows)
    write_chain(OUT, actors, flows_out, volume_decimals=1)

    # ================================================================== documented plot situations
    def first_plot(farm_list, pred=lambda p: True):
        for f in farm_list:
            for p in plots_of(f):
                if pred(p):
                    return p
        raise ValueError("no plot matches")

    documented: dict[str, list[str]] = {}
    polygon = lambda p: p.polygon
    loss_plan = [  # (plot, forest loss after 2020 as share of the plot)
        (first_plot(region_farms(C, "Nawa")), 0.6),
        (first_plot(region_farms(C, "Guemon")), 1.0),
        (first_plot(estate(region_farms(O, "Riau")), polygon), 0.04),
        (first_plot(region_farms(O, "Central Kalimantan"), polygon), 0.25),
        (first_plot(estate(region_farms(O, "Sabah")), polygon), 0.06),
        (first_plot(region_farms(S, "Mato Grosso (Querencia)"), polygon), 0.15),
        (first_plot(region_farms(S, "Maranhao"), polygon), 0.3),
        (first_plot(region_farms(M, "Para (Sao Felix"), polygon), 0.12),
        (first_plot(region_farms(M, "Para (Novo Progresso)"), polygon), 0.08),
    ]
    for p, share in loss_plan:
        p.loss = round(p.area_ha * share, 1)
        documented.setdefault("forest_loss_after_2020", []).append(p.plot_id)
    pre = first_plot(region_farms(S, "Piaui"), polygon)
    pre.extra["forest_loss_year"] = 2019
    documented["forest_loss_2019_only"] = [pre.plot_id]
    big_point = first_plot(region_farms(C, "Western North"))
    big_point.area_ha, big_point.polygon = 6.4, False
    documented["point_above_4_ha"] = [big_point.plot_id]
    coarse = first_plot(region_farms(K, "Sidama"))
    coarse.decimals = 4
    documented["fewer_than_6_decimals"] = [coarse.plot_id]
    swapped = plots_of(region_farms(C, "Nawa")[1])[0]
    swapped.swap = True
    documented["swapped_lon_lat"] = [swapped.plot_id]
    unclosed_farm = small(region_farms(O, "Jambi"))[0]
    unclosed = plots_of(unclosed_farm)[0]
    ring = polygon_ring(rng, unclosed.lat, unclosed.lon, 6.8)
    unclosed.polygon, unclosed.ring, unclosed.area_ha, unclosed.closed = True, ring, ring_area_ha(ring), False
    documented["unclosed_polygon"] = [unclosed.plot_id]

    plots.sort(key=lambda p: p.plot_id)
    write_plots([p.feature() for p in plots], OUT / "plots.geojson")
    summary("food", actors, flows_out)
    print(f"  plots: {len(plots)} ({sum(p.polygon for p in plots)} polygons)")
    print("  documented:", {"unknown_origin": pack_unknown, "mass_balance_gap": gap_trader,
                            "missing_volume": b.missing, **documented})


if __name__ == "__main__":
    build()
