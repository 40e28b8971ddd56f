"""Build ``datasets/natural_stone``: quarries → processors → exporters → importers → wholesalers → installers.

Run from the repository root: ``python tools/datasets/build_natural_stone.py``.
Deterministic (seed below). Volumes are tonnes of stone; each stone type is a
material family (``granite``, ``sandstone``, ``marble``, ``limestone``,
``slate``, ``basalt``). See ``datasets/natural_stone/README.md``.
"""
from __future__ import annotations

from chainkit import ROOT, ChainBuilder, Place, summary, write_chain

SEED = 20240502
OUT = ROOT / "datasets" / "natural_stone"
STAGES = ["quarry", "processor", "exporter", "importer", "wholesaler", "installer"]
CODES = {"quarry": "QRY", "processor": "PRC", "exporter": "EXP", "importer": "IMP", "wholesaler": "WHS",
         "installer": "INS"}

# Quarries: (place, stone, number, median t/yr sold into the modelled chain)
QUARRIES = [
    (Place("IN", "Rajasthan, Bundi (Budhpura)", 25.40, 75.55, 0.10), "sandstone", 6, 1500),
    (Place("IN", "Rajasthan, Bhilwara (Bijolia)", 25.17, 75.33, 0.08), "sandstone", 4, 1500),
    (Place("IN", "Rajasthan, Dholpur", 26.70, 77.89, 0.08), "sandstone", 3, 1200),
    (Place("IN", "Rajasthan, Karauli", 26.50, 77.02, 0.08), "sandstone", 3, 1000),
    (Place("IN", "Rajasthan, Jodhpur", 26.24, 73.02, 0.08), "sandstone", 2, 800),
    (Place("IN", "Rajasthan, Kota (Ramganj Mandi)", 24.65, 75.94, 0.06), "limestone", 3, 2000),
    (Place("IN", "Rajasthan, Nagaur (Makrana)", 27.04, 74.72, 0.04), "marble", 2, 600),
    (Place("IN", "Rajasthan, Rajsamand", 25.07, 73.88, 0.05), "marble", 2, 800),
    (Place("IN", "Karnataka, Ramanagara (Kanakapura)", 12.55, 77.42, 0.06), "granite", 3, 2500),
    (Place("IN", "Karnataka, Chamarajanagar", 11.93, 76.94, 0.06), "granite", 2, 2000),
    (Place("IN", "Telangana, Karimnagar", 18.44, 79.13, 0.08), "granite", 4, 3000),
    (Place("IN", "Telangana, Khammam", 17.25, 80.15, 0.08), "granite", 3, 2500),
    (Place("IN", "Tamil Nadu, Krishnagiri", 12.52, 78.21, 0.06), "granite", 3, 2000),
    (Place("IN", "Tamil Nadu, Dharmapuri", 12.13, 78.16, 0.06), "granite", 2, 1800),
    (Place("IN", "Andhra Pradesh, Prakasam (Chimakurthi)", 15.58, 79.87, 0.05), "granite", 3, 2500),
    (Place("CN", "Fujian, Zhangpu", 24.12, 117.61, 0.06), "granite", 3, 5000),
    (Place("CN", "Fujian, Putian", 25.43, 119.01, 0.06), "granite", 2, 5000),
    (Place("CN", "Fujian, Nan'an", 24.95, 118.35, 0.05), "granite", 2, 4000),
    (Place("CN", "Fujian, Fuding", 27.33, 120.20, 0.05), "basalt", 2, 4000),
    (Place("CN", "Shandong, Laizhou", 37.18, 119.94, 0.06), "granite", 2, 4500),
    (Place("CN", "Shandong, Wulian", 35.75, 119.21, 0.06), "granite", 2, 4000),
    (Place("VN", "Thanh Hoa (Nga Son)", 20.00, 105.97, 0.05), "limestone", 3, 3000),
    (Place("VN", "Binh Dinh (Phu Cat)", 14.00, 109.05, 0.05), "granite", 3, 3500),
    (Place("VN", "Nghe An (Quy Hop)", 19.32, 105.19, 0.05), "marble", 2, 2000),
    (Place("TR", "Afyonkarahisar (Iscehisar)", 38.87, 30.75, 0.05), "marble", 3, 3000),
    (Place("TR", "Denizli", 37.78, 29.09, 0.08), "limestone", 3, 3000),
    (Place("TR", "Burdur", 37.72, 30.29, 0.06), "limestone", 2, 2500),
    (Place("TR", "Mugla", 37.22, 28.36, 0.06), "marble", 2, 2500),
    (Place("PT", "Alentejo, Estremoz-Borba-Vila Vicosa", 38.82, -7.52, 0.04), "marble", 3, 1500),
    (Place("PT", "Centro, Porto de Mos (Moleanos)", 39.60, -8.82, 0.04), "limestone", 3, 2500),
    (Place("PT", "Norte, Vila Pouca de Aguiar", 41.50, -7.64, 0.04), "granite", 2, 2000),
    (Place("BR", "Espirito Santo, Cachoeiro de Itapemirim", -20.85, -41.11, 0.06), "granite", 3, 2500),
    (Place("BR", "Espirito Santo, Nova Venecia", -18.71, -40.40, 0.05), "granite", 2, 2500),
    (Place("BR", "Espirito Santo, Barra de Sao Francisco", -18.75, -40.89, 0.04), "granite", 1, 2000),
    (Place("BR", "Minas Gerais, Papagaios", -19.44, -44.75, 0.05), "slate", 2, 1800),
    (Place("ES", "Galicia, Valdeorras", 42.42, -6.98, 0.04), "slate", 2, 2500),
    (Place("ES", "Castilla y Leon, La Cabrera", 42.30, -6.60, 0.04), "slate", 1, 2000),
    (Place("BE", "Hainaut, Soignies", 50.58, 4.07, 0.02), "limestone", 2, 3000),
]
QUARRY_NAMES = {"IN": "{stem} Stone Quarry", "CN": "{stem} Stone Quarry Co., Ltd.", "VN": "Mo da {stem}",
                "TR": "{stem} Mermer Ocagi", "PT": "Pedreira {stem}, Lda.", "BR": "Pedreira {stem} Ltda.",
                "ES": "Canteras {stem} S.L.", "BE": "Carrieres {stem} SA"}

IN = {
    "Bundi": Place("IN", "Rajasthan, Bundi", 25.44, 75.64, 0.03),
    "Kota": Place("IN", "Rajasthan, Kota", 25.18, 75.83, 0.03),
    "Kishangarh": Place("IN", "Rajasthan, Ajmer (Kishangarh)", 26.59, 74.86, 0.03),
    "Jaipur": Place("IN", "Rajasthan, Jaipur", 26.91, 75.79, 0.04),
    "Bengaluru": Place("IN", "Karnataka, Bengaluru", 12.97, 77.59, 0.05),
    "Hosur": Place("IN", "Tamil Nadu, Hosur", 12.74, 77.83, 0.03),
    "Krishnagiri": Place("IN", "Tamil Nadu, Krishnagiri", 12.52, 78.21, 0.03),
    "Karimnagar": Place("IN", "Telangana, Karimnagar", 18.44, 79.13, 0.03),
    "Ongole": Place("IN", "Andhra Pradesh, Ongole", 15.50, 80.05, 0.03),
    "Hyderabad": Place("IN", "Telangana, Hyderabad", 17.39, 78.49, 0.04),
    "Chennai": Place("IN", "Tamil Nadu, Chennai", 13.08, 80.22, 0.03),
}
NL_PLACES = {
    "Rotterdam": Place("NL", "Zuid-Holland", 51.90, 4.45, 0.03), "Tilburg": Place("NL", "Noord-Brabant", 51.56, 5.09, 0.02),
    "Venlo": Place("NL", "Limburg", 51.37, 6.17, 0.02), "Heerenveen": Place("NL", "Friesland", 52.96, 5.92, 0.02),
    "Zwolle": Place("NL", "Overijssel", 52.515, 6.09, 0.02), "Nijmegen": Place("NL", "Gelderland", 51.84, 5.86, 0.02),
    "Oosterhout": Place("NL", "Noord-Brabant", 51.64, 4.86, 0.02), "Utrecht": Place("NL", "Utrecht", 52.09, 5.12, 0.02),
    "Amsterdam": Place("NL", "Noord-Holland", 52.37, 4.90, 0.02), "Den Haag": Place("NL", "Zuid-Holland", 52.07, 4.30, 0.015),
    "Eindhoven": Place("NL", "Noord-Brabant", 51.44, 5.48, 0.02), "Groningen": Place("NL", "Groningen", 53.22, 6.57, 0.02),
    "Arnhem": Place("NL", "Gelderland", 51.98, 5.91, 0.02), "Maastricht": Place("NL", "Limburg", 50.85, 5.69, 0.01),
    "Kampen": Place("NL", "Overijssel", 52.555, 5.91, 0.01), "Leeuwarden": Place("NL", "Friesland", 53.20, 5.80, 0.02),
    "Breda": Place("NL", "Noord-Brabant", 51.59, 4.78, 0.02), "Amersfoort": Place("NL", "Utrecht", 52.155, 5.39, 0.02),
    "Almere": Place("NL", "Flevoland", 52.37, 5.22, 0.02), "Assen": Place("NL", "Drenthe", 52.99, 6.56, 0.02),
    "Middelburg": Place("NL", "Zeeland", 51.50, 3.61, 0.01), "Haarlem": Place("NL", "Noord-Holland", 52.38, 4.64, 0.01),
    "Enschede": Place("NL", "Overijssel", 52.22, 6.89, 0.02), "Den Bosch": Place("NL", "Noord-Brabant", 51.69, 5.30, 0.02),
}
BE_PLACES = {
    "Antwerpen": Place("BE", "Antwerpen", 51.22, 4.42, 0.02), "Gent": Place("BE", "Oost-Vlaanderen", 51.05, 3.72, 0.02),
    "Lommel": Place("BE", "Limburg", 51.23, 5.31, 0.02), "Brugge": Place("BE", "West-Vlaanderen", 51.21, 3.22, 0.02),
    "Leuven": Place("BE", "Vlaams-Brabant", 50.88, 4.70, 0.02), "Hasselt": Place("BE", "Limburg", 50.93, 5.34, 0.02),
    "Mechelen": Place("BE", "Antwerpen", 51.03, 4.48, 0.015),
}


def build() -> None:
    b = ChainBuilder("natural_stone", "NST", SEED, unit="t", decimals=1, stage_codes=CODES, stage_order=STAGES,
                     chain_starts={"quarry"})
    rng = b.rng
    stem = b.names.stem

    def pick(pool, k=1):
        idx = rng.choice(len(pool), size=min(k, len(pool)), replace=False)
        return [pool[int(i)] for i in sorted(idx)]

    def link_to(sources, targets, stone, k=(1, 2), weight=1.0, **kw):
        b.connect(sources, targets, stone, k, weight, **kw)

    # ------------------------------------------------------------------ quarries
    quarries: dict[tuple[str, str], list[str]] = {}       # (region prefix, stone) → ids
    tonnes: dict[str, float] = {}
    for place, stone, count, median in QUARRIES:
        for _ in range(count):
            q = b.actor("quarry", place, QUARRY_NAMES[place.country].format(stem=stem()), commodity=stone)
            quarries.setdefault((place.region, stone), []).append(q)
            tonnes[q] = float(median * rng.lognormal(0, 0.4))

    def q(region_start: str, stone: str | None = None) -> list[str]:
        return [a for (r, s), ids in quarries.items() if r.startswith(region_start) and (stone is None or s == stone)
                for a in ids]

    # ------------------------------------------------------------------ processors
    def processors(place, template, n, commodity, yield_=0.65, keep=0.7):
        return [b.actor("processor", place, template.format(stem=stem()), commodity=commodity, yield_=yield_, keep=keep)
                for _ in range(n)]

    p_bundi = processors(IN["Bundi"], "{stem} Sandstone Industries", 2, "sandstone", 0.7)
    p_kota = processors(IN["Kota"], "{stem} Stone Processors Pvt Ltd", 2, "sandstone", 0.7)
    p_kotastone = processors(IN["Kota"], "{stem} Kota Stone Works", 1, "limestone", 0.75)
    p_kishangarh = processors(IN["Kishangarh"], "{stem} Marbles Pvt Ltd", 1, "marble", 0.6)
    p_blr = processors(IN["Bengaluru"], "{stem} Granites Pvt Ltd", 2, "granite", 0.6)
    p_hosur = processors(IN["Hosur"], "{stem} Granite Exports Pvt Ltd", 1, "granite", 0.6)
    p_unknown = processors(IN["Krishnagiri"], "{stem} Granite Cutting Unit", 1, "granite", 0.6)[0]
    p_karim = processors(IN["Karimnagar"], "{stem} Granites", 2, "granite", 0.6)
    p_ongole = processors(IN["Ongole"], "{stem} Galaxy Granites Pvt Ltd", 1, "granite", 0.6)
    p_shuitou = processors(Place("CN", "Fujian, Nan'an (Shuitou)", 24.80, 118.40, 0.04),
                           "Fujian {stem} Stone Co., Ltd.", 3, "granite", 0.6, 0.6)
    p_xiamen = processors(Place("CN", "Fujian, Xiamen", 24.55, 118.05, 0.03), "Xiamen {stem} Stone Co., Ltd.", 1,
                          "granite", 0.6, 0.6)
    p_laizhou = processors(Place("CN", "Shandong, Laizhou", 37.18, 119.94, 0.03), "Laizhou {stem} Granite Co., Ltd.",
                           1, "granite", 0.6, 0.6)
    p_fuding = processors(Place("CN", "Fujian, Fuding", 27.33, 120.20, 0.03), "Fuding {stem} Basalt Co., Ltd.", 1,
                          "basalt", 0.65, 0.6)
    p_vn_lime = processors(Place("VN", "Thanh Hoa", 19.81, 105.78, 0.03), "Cong ty Da {stem}", 1, "limestone", 0.65)
    p_vn_gran = processors(Place("VN", "Binh Dinh (Quy Nhon)", 13.80, 109.15, 0.03), "Cong ty Granite {stem}", 2,
                           "granite", 0.6)
    p_vn_marb = processors(Place("VN", "Nghe An", 19.32, 105.19, 0.03), "Cong ty Da Hoa {stem}", 1, "marble", 0.6)
    p_afyon = processors(Place("TR", "Afyonkarahisar", 38.76, 30.54, 0.03), "{stem} Mermer San. ve Tic. A.S.", 2,
                         "marble", 0.6)
    p_denizli = processors(Place("TR", "Denizli", 37.78, 29.09, 0.03), "{stem} Traverten A.S.", 1, "limestone", 0.65)
    p_burdur = processors(Place("TR", "Burdur", 37.72, 30.29, 0.03), "{stem} Dogal Tas A.S.", 1, "limestone", 0.65)
    p_pero = processors(Place("PT", "Lisboa, Pero Pinheiro", 38.86, -9.32, 0.02), "{stem} Marmores, Lda.", 2,
                        "limestone", 0.65, 0.8)
    p_borba = processors(Place("PT", "Alentejo, Borba", 38.81, -7.46, 0.02), "{stem} Marmores do Alentejo, S.A.", 1,
                         "marble", 0.6, 0.8)
    p_ptgran = processors(Place("PT", "Norte, Vila Real", 41.30, -7.74, 0.03), "{stem} Granitos, Lda.", 1, "granite",
                          0.6, 0.8)
    p_cach = processors(Place("BR", "Espirito Santo, Cachoeiro de Itapemirim", -20.85, -41.11, 0.03),
                        "Marmoraria {stem} Ltda.", 3, "granite", 0.6)
    p_serra = processors(Place("BR", "Espirito Santo, Serra", -20.13, -40.31, 0.03), "{stem} Granitos S.A.", 1,
                         "granite", 0.6)
    p_mgslate = processors(Place("BR", "Minas Gerais, Papagaios", -19.44, -44.75, 0.03), "{stem} Ardosias Ltda.", 1,
                           "slate", 0.7)
    p_es = processors(Place("ES", "Galicia, O Barco de Valdeorras", 42.42, -6.98, 0.03), "Pizarras {stem} S.L.", 2,
                      "slate", 0.55, 0.8)
    p_be = processors(Place("BE", "Hainaut, Soignies", 50.58, 4.07, 0.02), "{stem} Pierre Bleue SA", 1, "limestone",
                      0.6, 0.8)

    # ------------------------------------------------------------------ exporters
    def exporters(place, template, n, commodity=None, keep=0.6):
        return [b.actor("exporter", place, template.format(stem=stem()), commodity=commodity, yield_=0.995, keep=keep)
                for _ in range(n)]

    e_jaipur = exporters(IN["Jaipur"], "{stem} Stone Exports Pvt Ltd", 2, "sandstone")
    e_kota = exporters(IN["Kota"], "{stem} Overseas", 1, "sandstone")
    e_blr = exporters(IN["Bengaluru"], "{stem} Granite Exports", 1, "granite")
    e_hyd = exporters(IN["Hyderabad"], "{stem} International", 1, "granite")
    e_chennai = exporters(IN["Chennai"], "{stem} Exim Pvt Ltd", 1, "granite")
    e_blocks = exporters(IN["Chennai"], "{stem} Granite Blocks Trading", 1, "granite", keep=0.9)[0]
    e_xiamen = exporters(Place("CN", "Fujian, Xiamen", 24.48, 118.09, 0.02), "Xiamen {stem} Import & Export Co., Ltd.",
                         3, "granite")
    e_qingdao = exporters(Place("CN", "Shandong, Qingdao", 36.07, 120.38, 0.02), "Qingdao {stem} Trading Co., Ltd.",
                          1, "granite")
    e_vn = exporters(Place("VN", "Ho Chi Minh City", 10.82, 106.63, 0.02), "{stem} Stone Export JSC", 1) + \
        exporters(Place("VN", "Hai Phong", 20.84, 106.69, 0.02), "{stem} Trading JSC", 1)
    e_tr = exporters(Place("TR", "Izmir", 38.42, 27.14, 0.02), "{stem} Dis Ticaret A.S.", 2, "marble") + \
        exporters(Place("TR", "Istanbul", 41.01, 28.98, 0.02), "{stem} Natural Stone Export A.S.", 1)
    e_pt = exporters(Place("PT", "Lisboa", 38.72, -9.14, 0.02), "{stem} Stone Export, Lda.", 1, keep=0.7)
    e_br = exporters(Place("BR", "Espirito Santo, Vitoria", -20.32, -40.34, 0.02), "{stem} Exportadora Ltda.", 2,
                     "granite")

    # ------------------------------------------------------------------ importers, wholesalers
    def importer(place, template, commodity=None):
        return b.actor("importer", place, template.format(stem=stem()), commodity=commodity, yield_=0.99, keep=0.9)

    i_nl = [importer(NL_PLACES[c], t) for c, t in [
        ("Rotterdam", "{stem} Natuursteen Import B.V."), ("Rotterdam", "{stem} Stone Import B.V."),
        ("Tilburg", "{stem} Natuursteen B.V."), ("Venlo", "{stem} Granietimport B.V."),
        ("Heerenveen", "{stem} Steenhandel B.V."), ("Zwolle", "{stem} Stone B.V."),
        ("Nijmegen", "{stem} Tegelimport B.V."), ("Oosterhout", "{stem} Bestrating Import B.V.")]]
    i_be = [importer(BE_PLACES[c], t) for c, t in [
        ("Antwerpen", "{stem} Natuursteen NV"), ("Antwerpen", "{stem} Stone Trading NV"),
        ("Gent", "{stem} Steenimport BV"), ("Lommel", "{stem} Natuursteen BV")]]
    importers = i_nl + i_be

    def wholesaler(place, template):
        return b.actor("wholesaler", place, template.format(stem=stem()), yield_=0.98, keep=0.85)

    w_nl = [wholesaler(NL_PLACES[c], "{stem} " + kind) for c, kind in [
        ("Utrecht", "Bouwmaterialen B.V."), ("Amsterdam", "Natuursteen Groothandel B.V."), ("Den Haag", "Tegelhandel B.V."),
        ("Eindhoven", "Bestratingen B.V."), ("Groningen", "Bouwstoffen B.V."), ("Arnhem", "Tuinmaterialen B.V."),
        ("Breda", "Natuursteen B.V."), ("Amersfoort", "Groothandel B.V."), ("Zwolle", "Steenhandel B.V."),
        ("Den Bosch", "Keukenbladen B.V.")]]
    w_be = [wholesaler(BE_PLACES[c], "{stem} " + kind) for c, kind in [
        ("Antwerpen", "Bouwmaterialen NV"), ("Gent", "Natuursteen NV"), ("Hasselt", "Tuinaanleg Materialen BV"),
        ("Brugge", "Steenhandel BV")]]
    wholesalers = w_nl + w_be

    # ------------------------------------------------------------------ installers and public buyers
    municipalities = [b.actor("installer", NL_PLACES[c], f"Gemeente {name}") for c, name in [
        ("Amsterdam", "Amstelwaard"), ("Rotterdam", "Maasdelta"), ("Utrecht", "Vechtstede"), ("Den Haag", "Hofwijck-Zuid"),
        ("Eindhoven", "Dommelrode"), ("Groningen", "Hunzewolde"), ("Kampen", "IJsselkampen"), ("Zwolle", "Vechtmonde"),
        ("Maastricht", "Geulhoven"), ("Leeuwarden", "Waddenveld"), ("Assen", "Drentsheide"), ("Middelburg", "Walcherstein"),
        ("Haarlem", "Sparendonk"), ("Nijmegen", "Waalbroek")]]
    municipalities += [b.actor("installer", BE_PLACES[c], f"Stad {name}") for c, name in [
        ("Leuven", "Dijlegem"), ("Mechelen", "Nethelo"), ("Gent", "Scheldewaard")]]
    contractors = [b.actor("installer", NL_PLACES[c], f"{stem()} " + kind) for c, kind in [
        ("Rotterdam", "Bestratingen B.V."), ("Utrecht", "Hoveniers B.V."), ("Amsterdam", "Infra B.V."),
        ("Eindhoven", "Wegenbouw B.V."), ("Arnhem", "Groenvoorziening B.V."), ("Almere", "Bestrating B.V."),
        ("Enschede", "Infra B.V."), ("Breda", "Tuinen B.V.")]]
    contractors += [b.actor("installer", BE_PLACES[c], f"{stem()} " + kind) for c, kind in [
        ("Antwerpen", "Wegenwerken NV"), ("Hasselt", "Tuinaanleg BV")]]
    fitters = [b.actor("installer", NL_PLACES[c], f"{stem()} " + kind) for c, kind in [
        ("Amsterdam", "Keukenbladen"), ("Den Bosch", "Natuursteenbewerking B.V."), ("Amersfoort", "Keukens B.V."),
        ("Haarlem", "Steenhouwerij"), ("Groningen", "Grafmonumenten B.V."), ("Utrecht", "Grafmonumenten"),
        ("Tilburg", "Trappen en Vloeren B.V.")]]
    installers = municipalities + contractors + fitters

    # ================================================================== links: origins
    link_to(q("Rajasthan, Bundi") + q("Rajasthan, Bhilwara"), p_bundi + p_kota[:1], "sandstone", (1, 2))
    link_to(q("Rajasthan, Dholpur") + q("Rajasthan, Karauli") + q("Rajasthan, Jodhpur"), p_kota, "sandstone", (1, 1))
    link_to(q("Rajasthan, Kota"), p_kotastone, "limestone", (1, 1))
    link_to(q("Rajasthan, Nagaur") + q("Rajasthan, Rajsamand"), p_kishangarh, "marble", (1, 1))
    link_to(q("Karnataka"), p_blr + p_hosur, "granite", (1, 2))
    link_to(q("Tamil Nadu"), p_hosur, "granite", (1, 1))
    telangana = q("Telangana")
    link_to(telangana, p_karim, "granite", (1, 1))
    for quarry in telangana[:3] + q("Andhra Pradesh")[:1]:
        b.link(quarry, e_blocks, "granite", 0.8)           # raw blocks shipped to China
    link_to(q("Andhra Pradesh"), p_ongole, "granite", (1, 1))
    link_to(q("Fujian, Zhangpu") + q("Fujian, Putian") + q("Fujian, Nan'an"), p_shuitou + p_xiamen, "granite", (1, 2))
    link_to(q("Fujian, Fuding"), p_fuding, "basalt", (1, 1))
    link_to(q("Shandong"), p_laizhou, "granite", (1, 1))
    link_to(q("Thanh Hoa"), p_vn_lime, "limestone", (1, 1))
    link_to(q("Binh Dinh"), p_vn_gran, "granite", (1, 2))
    link_to(q("Nghe An"), p_vn_marb, "marble", (1, 1))
    link_to(q("Afyonkarahisar") + q("Mugla"), p_afyon, "marble", (1, 2))
    link_to(q("Denizli"), p_denizli, "limestone", (1, 1))
    link_to(q("Burdur"), p_burdur, "limestone", (1, 1))
    b.link(q("Burdur")[0], p_denizli[0], "limestone", 0.5)
    link_to(q("Alentejo"), p_borba, "marble", (1, 1))
    link_to(q("Centro"), p_pero, "limestone", (1, 2))
    link_to(q("Norte"), p_ptgran, "granite", (1, 1))
    link_to(q("Espirito Santo"), p_cach + p_serra, "granite", (1, 2))
    link_to(q("Minas Gerais"), p_mgslate, "slate", (1, 1))
    link_to(q("Galicia") + q("Castilla"), p_es, "slate", (1, 2))
    link_to(q("Hainaut"), p_be, "limestone", (1, 1))

    # ================================================================== processors → exporters
    link_to(p_bundi + p_kota, e_jaipur + e_kota, "sandstone", (1, 2))
    link_to(p_kotastone, e_kota + e_jaipur[:1], "limestone", (1, 2))
    link_to(p_kishangarh, e_jaipur, "marble", (1, 1))
    link_to(p_blr + p_hosur, e_blr + e_chennai, "granite", (1, 2))
    b.link(p_unknown, e_chennai[0], "granite", 1.0)
    b.produce(p_unknown, "granite", 2600.0)     # no recorded quarry: unknown origin
    link_to(p_karim, e_hyd + e_chennai, "granite", (1, 2))
    link_to(p_ongole, e_chennai, "granite", (1, 1))
    for p in p_shuitou:
        b.link(e_blocks, p, "granite", 1.0)          # Indian blocks processed in Fujian
    link_to(p_shuitou + p_xiamen + p_fuding, e_xiamen, "granite", (1, 2))
    b.link(p_shuitou[0], e_xiamen[1], "granite", 1.0)
    for p in p_fuding:
        for e in e_xiamen[:2]:
            b.link(p, e, "basalt", 1.0)
    link_to(p_laizhou, e_qingdao, "granite", (1, 1))
    link_to(p_vn_lime + p_vn_marb, e_vn[1:], "limestone", (1, 1))
    for p in p_vn_marb:
        b.link(p, e_vn[1], "marble", 1.0)
    link_to(p_vn_gran, e_vn[:1], "granite", (1, 1))
    link_to(p_afyon, e_tr, "marble", (1, 2))
    b.link(p_afyon[0], e_tr[0], "marble", 1.0)
    link_to(p_denizli + p_burdur, e_tr, "limestone", (1, 2))
    link_to(p_borba + p_pero, e_pt, "marble", (1, 1))
    link_to(p_pero, e_pt, "limestone", (1, 1))
    link_to(p_ptgran, e_pt, "granite", (1, 1))
    link_to(p_cach + p_serra, e_br, "granite", (1, 2))
    link_to(p_mgslate, e_br, "slate", (1, 1))

    # clean up family mismatches: a processor only passes on the stone it receives
    fam_in: dict[str, set[str]] = {}
    for l in b.links:
        fam_in.setdefault(l.target, set()).add(l.family)
    fam_in[p_unknown] = {"granite"}
    b.links = [l for l in b.links if b.stage_of(l.source) != "processor" or l.family in fam_in.get(l.source, set())]

    # ================================================================== exports → importers (NL/BE)
    exporter_stones = {}
    for l in b.links:
        if b.stage_of(l.target) == "exporter":
            exporter_stones.setdefault(l.target, set()).add(l.family)
    all_exporters = e_jaipur + e_kota + e_blr + e_hyd + e_chennai + e_xiamen + e_qingdao + e_vn + e_tr + e_pt + e_br
    for e in all_exporters:
        for stone in sorted(exporter_stones.get(e, ())):
            for imp in pick(importers, int(rng.integers(1, 4))):
                b.link(e, imp, stone, 1.0)
    # direct imports from European processors
    for p in p_es:
        for imp in pick(importers, 2):
            b.link(p, imp, "slate", 1.0)
        b.link(p, w_nl[int(rng.integers(0, len(w_nl)))], "slate", 0.5)
    for p in p_be:
        for w in w_be[:2] + w_nl[6:7]:
            b.link(p, w, "limestone", 1.0)
        b.link(p, i_be[0], "limestone", 1.0)
    for p in p_pero:
        b.link(p, i_nl[2], "limestone", 1.0, w2025=2.0)
    # 2025 shift: the second Rotterdam importer moves granite from China to Vietnam and Portugal
    for e in e_xiamen:
        b.link(e, i_nl[1], "granite", 2.0, w2025=0.6)
    b.link(e_vn[0], i_nl[1], "granite", 1.0, w2025=3.0)
    b.link(e_pt[0], i_nl[1], "granite", 0.3, w2025=1.0)
    gap_exporter = e_xiamen[1]
    b.gap(gap_exporter, 1.35)

    # ================================================================== importers → wholesalers → installers
    importer_stones: dict[str, set[str]] = {}
    for l in b.links:
        if b.stage_of(l.target) == "importer":
            importer_stones.setdefault(l.target, set()).add(l.family)
    wh_stones: dict[str, set[str]] = {}
    for imp in importers:
        pool = w_be + w_nl[:3] if imp in i_be else w_nl + w_be[:1]
        for stone in sorted(importer_stones.get(imp, ())):
            for w in pick(pool, int(rng.integers(1, 4))):
                b.link(imp, w, stone, 1.0)
                wh_stones.setdefault(w, set()).add(stone)
            for ins in pick(municipalities + contractors, 1):         # project deliveries straight to site
                b.link(imp, ins, stone, 0.6)
    for l in b.links:
        if b.stage_of(l.target) == "wholesaler":
            wh_stones.setdefault(l.target, set()).add(l.family)
    paving = {"sandstone", "granite", "basalt", "limestone"}
    for w in wholesalers:
        for stone in sorted(wh_stones.get(w, ())):
            pool = contractors + municipalities if stone in paving else fitters + contractors
            for ins in pick(pool, int(rng.integers(2, 5))):
                b.link(w, ins, stone, 1.0)
            if stone in ("granite", "marble", "slate"):
                for ins in pick(fitters, 2):
                    b.link(w, ins, stone, 0.5)
    # 2025 shift: Gemeente IJsselkampen replaces Indian sandstone by Portuguese limestone
    kampen = municipalities[6]
    for l in b.links:
        if l.target == kampen and l.family == "sandstone" and 2025 in l.weights:
            l.weights[2025] = 0.0
    pt_w = next(w for w in wholesalers if "limestone" in wh_stones.get(w, ()))
    b.link(pt_w, kampen, "limestone", 1.0, years=(2025,))
    b.link(i_nl[2], kampen, "limestone", 1.0, years=(2025,))
    # every buyer has at least one supplier
    supplied = {l.target for l in b.links}
    for ins in installers:
        if ins not in supplied:
            w = wholesalers[int(rng.integers(0, len(wholesalers)))]
            b.link(w, ins, sorted(wh_stones[w])[0], 1.0)

    # ================================================================== production
    stopped = q("Telangana, Khammam")[-1]          # closes after an inspection in 2025
    for quarry, t in tonnes.items():
        years = (2024,) if quarry == stopped else (2024, 2025)
        b.produce(quarry, b.by_id[quarry]["commodity"], t, years=years, change=0.12)
    new_q = b.actor("quarry", Place("IN", "Karnataka, Ramanagara (Kanakapura)", 12.55, 77.42, 0.06),
                    QUARRY_NAMES["IN"].format(stem=stem()), commodity="granite")
    b.link(new_q, p_blr[0], "granite", 1.0, years=(2025,))
    b.produce(new_q, "granite", 1800.0, years=(2025,))

    # documented missing volumes
    is_ = lambda a, stage: b.stage_of(a) == stage
    b.missing_volume(2025, lambda s, t: is_(s, "quarry") and b.by_id[s]["country"] == "TR" and is_(t, "processor"))
    b.missing_volume(2024, lambda s, t: is_(s, "wholesaler") and t in municipalities)

    b.loose_ends({"installer"})
    flows = b.solve()
    # commodity of multi-stone actors is left empty; single-stone actors keep theirs
    fams = flows.groupby("source")["family"].agg(set).to_dict()
    for f_, t_ in zip(flows["family"], flows["target"]):
        fams.setdefault(t_, set()).add(f_)
    for row in b.actors:
        stones = fams.get(row["id"], set())
        row["commodity"] = next(iter(stones)) if len(stones) == 1 else (row["commodity"] if row["stage"] == "quarry" else None)
    actors = b.actors_frame()
    flows_out = b.flows_frame(flows)
    write_chain(OUT, actors, flows_out, volume_decimals=1)
    summary("natural_stone", actors, flows_out)
    print("  documented:", {"unknown_origin": p_unknown, "mass_balance_gap": gap_exporter, "block_exporter": e_blocks,
                            "stopped_quarry": stopped, "new_quarry": new_q, "kampen": kampen,
                            "missing_volume": b.missing})


if __name__ == "__main__":
    build()
