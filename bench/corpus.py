"""A deterministic synthetic site for the benchmark: ``python bench/corpus.py DIR N [--seed S]``.

``generate(root, n, seed)`` writes a site of ``n`` briefings spread over about
``n / 10`` days that end on 2026-06-30. The same ``n`` and ``seed`` always give
byte-identical files (only seeded ``random.Random`` instances are used, never
the clock, a set's iteration order or ``hash()``).

What it looks like, at ``n = 10_000``:

- a pool of ``n / 10`` people (at least 20) with a Zipf-like skew, so the first
  few are cited by thousands of briefings; 80 % of them are registered in
  ``content/people/<id>.yaml`` (some with aliases: a surname, an initial, a
  misspelling); the rest are referenced by name only;
- about 70 countries (referenced by alpha-2 code, Spanish or English name) and
  32 organizations (``content/organizations/<id>.yaml`` with ``labels``), both
  skewed;
- about 200 tags, skewed, some with accents and spaces, now and then written
  with another capitalization or without accents (one tag for the generator);
- bodies of 400 to 900 words in Spanish (75 %) or English (with ``lang: en``):
  paragraphs, a ``##`` subheading or two, a bullet list, a table in about 10 %
  and a fenced code block in about 5 % of the briefings, links to sources and
  now and then to an earlier briefing, and the actors named in the text.

No two registered names, aliases, labels or ids fold to the same key (case,
accents and punctuation ignored), none folds to a country name or code, and no
single-word alias is a word of another person's name or of the prose, so
every reference resolves to exactly one actor.
"""

from __future__ import annotations

import argparse
import bisect
import json
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from random import Random

CORPUS_VERSION = 1
END_DATE = date(2026, 6, 30)
REGISTERED_FRACTION = 0.8

# --------------------------------------------------------------------------- data

# (alpha-2, Spanish name, English name), most cited first. Names are CLDR's (Babel).
COUNTRIES: tuple[tuple[str, str, str], ...] = (
    ("US", "Estados Unidos", "United States"),
    ("CN", "China", "China"),
    ("RU", "Rusia", "Russia"),
    ("UA", "Ucrania", "Ukraine"),
    ("IL", "Israel", "Israel"),
    ("FR", "Francia", "France"),
    ("DE", "Alemania", "Germany"),
    ("GB", "Reino Unido", "United Kingdom"),
    ("ES", "España", "Spain"),
    ("IR", "Irán", "Iran"),
    ("JP", "Japón", "Japan"),
    ("IN", "India", "India"),
    ("TR", "Turquía", "Türkiye"),
    ("BR", "Brasil", "Brazil"),
    ("MX", "México", "Mexico"),
    ("KR", "Corea del Sur", "South Korea"),
    ("KP", "Corea del Norte", "North Korea"),
    ("SA", "Arabia Saudí", "Saudi Arabia"),
    ("VE", "Venezuela", "Venezuela"),
    ("AR", "Argentina", "Argentina"),
    ("CO", "Colombia", "Colombia"),
    ("SY", "Siria", "Syria"),
    ("EG", "Egipto", "Egypt"),
    ("PL", "Polonia", "Poland"),
    ("IT", "Italia", "Italy"),
    ("CL", "Chile", "Chile"),
    ("PE", "Perú", "Peru"),
    ("CU", "Cuba", "Cuba"),
    ("ZA", "Sudáfrica", "South Africa"),
    ("NG", "Nigeria", "Nigeria"),
    ("PK", "Pakistán", "Pakistan"),
    ("AF", "Afganistán", "Afghanistan"),
    ("IQ", "Irak", "Iraq"),
    ("LB", "Líbano", "Lebanon"),
    ("QA", "Catar", "Qatar"),
    ("AE", "Emiratos Árabes Unidos", "United Arab Emirates"),
    ("CA", "Canadá", "Canada"),
    ("AU", "Australia", "Australia"),
    ("ID", "Indonesia", "Indonesia"),
    ("PH", "Filipinas", "Philippines"),
    ("VN", "Vietnam", "Vietnam"),
    ("TH", "Tailandia", "Thailand"),
    ("HU", "Hungría", "Hungary"),
    ("RO", "Rumanía", "Romania"),
    ("GR", "Grecia", "Greece"),
    ("PT", "Portugal", "Portugal"),
    ("NL", "Países Bajos", "Netherlands"),
    ("BE", "Bélgica", "Belgium"),
    ("SE", "Suecia", "Sweden"),
    ("NO", "Noruega", "Norway"),
    ("FI", "Finlandia", "Finland"),
    ("DK", "Dinamarca", "Denmark"),
    ("CH", "Suiza", "Switzerland"),
    ("AT", "Austria", "Austria"),
    ("BY", "Bielorrusia", "Belarus"),
    ("RS", "Serbia", "Serbia"),
    ("GE", "Georgia", "Georgia"),
    ("AM", "Armenia", "Armenia"),
    ("AZ", "Azerbaiyán", "Azerbaijan"),
    ("KZ", "Kazajistán", "Kazakhstan"),
    ("MA", "Marruecos", "Morocco"),
    ("DZ", "Argelia", "Algeria"),
    ("LY", "Libia", "Libya"),
    ("SD", "Sudán", "Sudan"),
    ("ET", "Etiopía", "Ethiopia"),
    ("KE", "Kenia", "Kenya"),
    ("JO", "Jordania", "Jordan"),
    ("BO", "Bolivia", "Bolivia"),
    ("EC", "Ecuador", "Ecuador"),
    ("UY", "Uruguay", "Uruguay"),
    ("PY", "Paraguay", "Paraguay"),
    ("NI", "Nicaragua", "Nicaragua"),
    ("GT", "Guatemala", "Guatemala"),
    ("PA", "Panamá", "Panama"),
    ("DO", "República Dominicana", "Dominican Republic"),
    ("HT", "Haití", "Haiti"),
)


@dataclass(frozen=True)
class Organization:
    id: str
    name: str
    labels: Mapping[str, str]
    aliases: tuple[str, ...] = ()
    members: tuple[str, ...] = ()

    def label(self, language: str) -> str:
        return self.labels.get(language, self.name)


_EU = ("DE", "FR", "IT", "ES", "PL", "NL", "BE", "SE", "AT", "PT", "GR", "HU", "RO", "FI", "DK")
_NATO = ("US", "CA", "GB", "FR", "DE", "IT", "ES", "PL", "NL", "BE", "NO", "DK", "PT", "TR", "GR")

# Most cited first. No alias or label is a country code, alpha-3 code or CLDR name.
ORGANIZATIONS: tuple[Organization, ...] = (
    Organization(
        "nato",
        "NATO",
        {"es": "OTAN"},
        ("North Atlantic Treaty Organization", "Organización del Tratado del Atlántico Norte"),
        _NATO,
    ),
    Organization("european-commission", "European Commission", {"es": "Comisión Europea"}),
    Organization(
        "un-security-council",
        "UN Security Council",
        {"es": "Consejo de Seguridad de la ONU"},
        ("CSNU",),
    ),
    Organization(
        "imf",
        "International Monetary Fund",
        {"es": "Fondo Monetario Internacional"},
        ("IMF", "FMI"),
    ),
    Organization(
        "who", "World Health Organization", {"es": "Organización Mundial de la Salud"}, ("OMS",)
    ),
    Organization("world-bank", "World Bank", {"es": "Banco Mundial"}),
    Organization(
        "g7",
        "G7",
        {},
        ("Group of Seven", "Grupo de los Siete"),
        ("US", "CA", "FR", "DE", "IT", "JP", "GB"),
    ),
    Organization("g20", "G20", {}, ("Group of Twenty", "Grupo de los Veinte")),
    Organization("unhcr", "UNHCR", {"es": "ACNUR"}, ("UN Refugee Agency",)),
    Organization(
        "wto",
        "World Trade Organization",
        {"es": "Organización Mundial del Comercio"},
        ("WTO", "OMC"),
    ),
    Organization(
        "iaea",
        "International Atomic Energy Agency",
        {"es": "Organismo Internacional de Energía Atómica"},
        ("IAEA", "OIEA"),
    ),
    Organization(
        "ecb", "European Central Bank", {"es": "Banco Central Europeo"}, ("ECB", "BCE"), _EU
    ),
    Organization("european-parliament", "European Parliament", {"es": "Parlamento Europeo"}),
    Organization(
        "opec", "OPEC", {"es": "OPEP"}, (), ("SA", "IR", "IQ", "AE", "VE", "NG", "LY", "DZ")
    ),
    Organization("brics", "BRICS", {}, (), ("BR", "RU", "IN", "CN", "ZA", "EG", "ET", "IR", "AE")),
    Organization(
        "oas",
        "Organization of American States",
        {"es": "Organización de los Estados Americanos"},
        ("OAS", "OEA"),
    ),
    Organization("african-union", "African Union", {"es": "Unión Africana"}),
    Organization("asean", "ASEAN", {}, (), ("ID", "PH", "VN", "TH")),
    Organization(
        "icc", "International Criminal Court", {"es": "Corte Penal Internacional"}, ("ICC", "CPI")
    ),
    Organization(
        "icj",
        "International Court of Justice",
        {"es": "Corte Internacional de Justicia"},
        ("ICJ", "CIJ"),
    ),
    Organization(
        "oecd",
        "OECD",
        {"es": "OCDE"},
        ("Organisation for Economic Co-operation and Development",),
    ),
    Organization("osce", "OSCE", {}, ("Organization for Security and Co-operation in Europe",)),
    Organization("mercosur", "Mercosur", {}, (), ("AR", "BR", "PY", "UY", "BO")),
    Organization(
        "wfp", "World Food Programme", {"es": "Programa Mundial de Alimentos"}, ("WFP", "PMA")
    ),
    Organization("unicef", "UNICEF", {}),
    Organization("unesco", "UNESCO", {}),
    Organization(
        "icrc",
        "International Committee of the Red Cross",
        {"es": "Comité Internacional de la Cruz Roja"},
        ("ICRC", "CICR"),
    ),
    Organization(
        "amnesty-international", "Amnesty International", {"es": "Amnistía Internacional"}
    ),
    Organization("human-rights-watch", "Human Rights Watch", {}, ("HRW",)),
    Organization("msf", "Doctors Without Borders", {"es": "Médicos Sin Fronteras"}, ("MSF",)),
    Organization("arab-league", "Arab League", {"es": "Liga Árabe"}),
    Organization("celac", "CELAC", {}, ("Comunidad de Estados Latinoamericanos y Caribeños",)),
)

_TAG_BASES = (
    "defensa", "energía", "elecciones", "derechos humanos", "cambio climático", "migración",
    "sanciones", "comercio", "diplomacia", "seguridad", "economía", "inflación", "deuda",
    "ayuda humanitaria", "conflicto armado", "terrorismo", "ciberseguridad", "desinformación",
    "salud pública", "alimentación", "agua", "transición energética", "petróleo", "gas natural",
    "energía nuclear", "control de armas", "fronteras", "refugiados", "corrupción", "justicia",
    "libertad de prensa", "protestas", "golpe de Estado", "tratados", "cumbres", "geopolítica",
    "tecnología", "inteligencia artificial", "semiconductores", "minería", "litio",
    "infraestructura", "transporte marítimo", "pesca", "agricultura", "turismo", "educación",
    "igualdad de género", "pueblos indígenas", "narcotráfico", "crimen organizado", "espacio",
    "Ártico", "océanos", "trade policy", "supply chains", "public health", "climate finance",
    "arms control", "cyber", "AI governance", "rule of law", "food security", "elections 2026",
)  # fmt: skip
_TAG_REGIONS = (
    "en Europa", "en América Latina", "en África", "en Asia", "en Oriente Próximo", "en el Sahel",
    "en el Indo-Pacífico", "en el Mar Negro",
)  # fmt: skip

# Name syllables per style: (given starts, given ends, surname starts, surname ends).
_STYLES: dict[str, tuple[tuple[str, ...], ...]] = {
    "hispanic": (
        ("Al", "Be", "Ca", "Da", "E", "Fe", "Gu", "I", "Ju", "Lo", "Ma", "Ne", "O", "Pa", "Ra",
         "Sa", "Te", "Va", "Xi", "Ro", "Lu", "Ci", "Mi", "So"),
        ("ba", "cía", "dra", "fael", "gela", "lia", "mo", "na", "rio", "sa", "tá", "vio", "zo",
         "riel", "nés", "ndo", "lena", "cio"),
        ("Al", "Bar", "Cas", "Du", "Es", "Fer", "Gal", "Her", "Ibar", "Lor", "Men", "Nav", "Or",
         "Pra", "Quin", "Ros", "San", "Tor", "Ur", "Val", "Zam", "Bel", "Cor", "Gar", "Mon"),
        ("ández", "ez", "ado", "ero", "illa", "ón", "ana", "oza", "ía", "ejo", "ares", "ueta",
         "iaga", "eda", "ino"),
    ),
    "anglo": (
        ("Al", "Ben", "Cal", "Dor", "Ed", "Flor", "Gra", "Hal", "Iv", "Jam", "Kel", "Lor", "Mar",
         "Nor", "Ol", "Pen", "Ros", "Sam", "Tess", "Wil", "Bri", "Cor"),
        ("a", "an", "en", "ie", "ison", "ley", "ly", "na", "on", "ra", "ton", "ica", "ald", "ert",
         "iet", "ine"),
        ("Ash", "Black", "Brad", "Carr", "Dun", "Elling", "Fair", "Har", "Holl", "Kings", "Lang",
         "Mor", "North", "Pem", "Rad", "Stan", "Thorn", "Wake", "Whit", "Gold", "Hart", "Brook"),
        ("by", "ford", "ham", "ley", "ton", "wood", "field", "well", "more", "son", "ridge",
         "worth", "stead", "hurst"),
    ),
    "slavic": (
        ("Ole", "Dmy", "Ana", "Bog", "Yev", "Iry", "Svit", "Vla", "Mik", "Tar", "Lud", "Kse", "Yar",
         "Zin", "Ser", "Nad", "Vik"),
        ("ksandr", "tro", "stasia", "dan", "hen", "na", "lana", "dimir", "hailo", "as", "mila",
         "niya", "oslav", "ko", "hiy", "ia"),
        ("Bonda", "Hrytse", "Kova", "Lysy", "Melny", "Petre", "Savche", "Shev", "Tkach", "Volo",
         "Zhyta", "Kuzne", "Moro", "Orlo", "Pavle", "Soko", "Haluz", "Dubro"),
        ("nko", "rchuk", "lenko", "tsov", "chenko", "vych", "shyn", "ova", "ov", "vsky", "vska",
         "niuk"),
    ),
    "korean": (
        ("Min", "Seo", "Ji", "Hoon", "Yeon", "Su", "Jin", "Woo", "Hye", "Sung", "Eun", "Tae",
         "Kyung", "Ho", "Young", "Jae", "Dong", "Hyun", "Na", "Bin"),
        ("min", "seo", "ji", "hoon", "yeon", "su", "jin", "woo", "hye", "sung", "eun", "tae",
         "kyung", "ho", "young", "jae", "dong", "hyun", "na", "bin", "yeol"),
        ("Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon", "Jang", "Lim", "Han", "Oh",
         "Seo", "Shin", "Kwon", "Hwang", "Ahn", "Song", "Yoo", "Hong"),
        ("",),
    ),
    "japanese": (
        ("Hi", "Ta", "Ke", "Yu", "Ma", "Sa", "Ha", "Ka", "Mi", "Na", "Ao", "Ri"),
        ("roshi", "kashi", "nji", "miko", "sako", "toshi", "ruka", "zuki", "chiko", "oko", "to",
         "kari", "ina"),
        ("Ta", "Wa", "Ya", "Ki", "Na", "Mo", "Ha", "Fu", "Su", "Ku", "Ishi", "Matsu", "Ino"),
        ("naka", "tanabe", "mamoto", "mura", "kamura", "rita", "yashi", "jita", "zuki", "bota",
         "kawa", "moto", "ue", "uchi"),
    ),
    "arabic": (
        ("Ah", "Kha", "Mo", "Ra", "Sa", "Ha", "Ya", "Fa", "La", "Na", "Ze", "Ka", "Ta", "Am"),
        ("mad", "lid", "hamed", "nia", "mir", "san", "sin", "tima", "yla", "dia", "inab", "rim",
         "riq", "ira"),
        ("Rash", "Hash", "Mans", "Qas", "Ham", "Sab", "Khal", "Nas", "Tam", "Zah", "Farh", "Jab"),
        ("idi", "imi", "ouri", "emi", "adi", "iri", "awi", "ani"),
    ),
    "european": (
        ("Jean", "Ma", "Lu", "Cé", "Fran", "Hé", "Éti", "Kla", "Wolf", "Gre", "Ul", "Ste", "An",
         "Lo", "Sig", "Ber"),
        ("cile", "lène", "çois", "thias", "enne", "us", "gang", "ta", "rike", "fan", "ton", "ïc",
         "rie", "trud", "nard"),
        ("Du", "Le", "Ma", "Ber", "Fon", "Gau", "Ro", "Schm", "Web", "Hof", "Kel", "Wag", "Bec",
         "Zimmer", "Lam", "Vog"),
        ("bois", "blanc", "rtin", "nard", "taine", "thier", "usseau", "idt", "er", "mann", "ler",
         "ner", "ker", "bert", "el"),
    ),
    "lusophone": (
        ("Jo", "Ma", "Ra", "Gra", "Lu", "Ti", "Ire", "Fá", "Ro", "Vi", "Se", "Cé"),
        ("ão", "rília", "quel", "ciano", "ago", "ne", "bio", "drigo", "tória", "bastião", "lia"),
        ("Sil", "Sou", "Oli", "Ri", "Car", "Ara", "Fer", "Bar", "Go", "Mace", "Tei", "Pin"),
        ("va", "za", "veira", "beiro", "valho", "újo", "reira", "ros", "mes", "do", "xeira", "to"),
    ),
}  # fmt: skip
_STYLE_WEIGHTS = (
    ("hispanic", 30),
    ("anglo", 18),
    ("slavic", 12),
    ("arabic", 10),
    ("european", 10),
    ("korean", 8),
    ("japanese", 6),
    ("lusophone", 6),
)
_STYLE_COUNTRIES = {
    "hispanic": ("ES", "MX", "AR", "CO", "CL", "PE", "VE", "CU", "BO", "EC", "UY", "GT", "PA"),
    "anglo": ("US", "GB", "CA", "AU", "ZA", "KE", "NG"),
    "slavic": ("UA", "RU", "PL", "BY", "RS"),
    "arabic": ("SA", "EG", "SY", "IQ", "LB", "QA", "AE", "JO", "MA", "DZ", "LY", "SD"),
    "european": ("FR", "DE", "BE", "CH", "AT", "NL"),
    "korean": ("KR", "KP"),
    "japanese": ("JP",),
    "lusophone": ("BR", "PT"),
}
_ROLES = (
    "presidente", "presidenta", "primer ministro", "primera ministra",
    "ministra de Asuntos Exteriores", "ministro de Defensa", "ministra de Economía",
    "portavoz del gobierno", "secretario general", "líder de la oposición",
    "gobernadora del banco central", "enviado especial", "jefa negociadora", "embajador",
    "comandante militar", "alcaldesa", "senador", "diputada", "activista", "economista",
    "periodista", "analista de seguridad", "fiscal general", "jefe de gabinete",
)  # fmt: skip


@dataclass(frozen=True)
class Lang:
    code: str
    subjects: tuple[str, ...]
    verbs: tuple[str, ...]
    title_verbs: tuple[str, ...]
    objects: tuple[str, ...]
    complements: tuple[str, ...]
    connectors: tuple[str, ...]
    says: tuple[str, ...]
    clauses: tuple[str, ...]
    stats: tuple[str, ...]
    outcomes: tuple[str, ...]
    headings: tuple[str, ...]
    months: tuple[str, ...]
    meeting: str  # "{a} and {b} ... {outcome}."
    according: str  # "According to {org}, {stat}."
    analysts: str  # "{clause}, though {clause2}"
    in_country: str  # "In {country}, {subject} {verb} {object}."
    report: str  # link text
    interview: str  # link text with a person
    earlier: str  # link to an earlier briefing
    update: str  # sentence appended by the benchmark's edit
    table_head: tuple[str, str]
    indicators: tuple[str, ...]


ES = Lang(
    code="es",
    subjects=(
        "el gobierno", "la cancillería", "el ministerio de Defensa", "el ministerio de Economía",
        "la oposición", "el parlamento", "la delegación", "el banco central", "el gobierno regional",
        "el equipo negociador", "el ejército", "la fiscalía", "el tribunal supremo",
        "la comisión electoral", "la central sindical", "la patronal", "la embajada",
        "la misión de observadores", "la agencia de noticias estatal", "el consejo de ministros",
    ),
    verbs=(
        "anunció", "rechazó", "propuso", "confirmó", "aplazó", "criticó", "negoció", "aprobó",
        "denunció", "respaldó", "suspendió", "revisó", "defendió", "presentó", "cuestionó",
    ),
    title_verbs=(
        "anuncia", "rechaza", "propone", "confirma", "aplaza", "critica", "negocia", "aprueba",
        "denuncia", "respalda", "suspende", "revisa", "defiende", "presenta", "cuestiona",
    ),
    objects=(
        "un nuevo paquete de sanciones", "el acuerdo de alto el fuego", "la reforma fiscal",
        "un plan de ayuda humanitaria", "el calendario electoral", "las conversaciones de paz",
        "la ampliación del gasoducto", "el presupuesto de defensa", "un préstamo de emergencia",
        "la reapertura de la frontera", "el intercambio de prisioneros",
        "las nuevas cuotas de exportación", "el despliegue de observadores", "la ley de medios",
        "un corredor humanitario", "la subida de los tipos de interés",
        "el tratado de libre comercio", "la reforma constitucional", "el programa nuclear",
        "la renegociación de la deuda",
    ),
    complements=(
        "tras semanas de negociaciones", "pese a las críticas de la oposición",
        "en una reunión a puerta cerrada", "según fuentes diplomáticas", "a última hora del martes",
        "en medio de fuertes protestas", "sin dar más detalles", "frente a la presión de los mercados",
        "en un comunicado oficial", "después de una larga sesión parlamentaria",
        "ante la creciente tensión regional", "con el respaldo de sus socios",
        "en plena campaña electoral", "a pocos días de la cumbre",
    ),
    connectors=(
        "Además,", "Sin embargo,", "Por su parte,", "En paralelo,", "Mientras tanto,", "A su vez,",
        "Por otro lado,", "En cambio,", "Al mismo tiempo,", "Con todo,",
    ),
    says=("afirmó", "declaró", "aseguró", "advirtió", "reconoció", "recordó", "subrayó", "sostuvo"),
    clauses=(
        "la prioridad es evitar una escalada", "no habrá concesiones sin garantías",
        "el diálogo sigue abierto", "los plazos son demasiado ajustados",
        "la situación humanitaria es crítica", "las sanciones no han tenido el efecto esperado",
        "el acuerdo podría firmarse antes de fin de año", "la economía resistirá el impacto",
        "la cooperación regional es imprescindible", "se necesitan más recursos para la reconstrucción",
        "la decisión no tiene vuelta atrás", "todavía faltan detalles por negociar",
    ),
    stats=(
        "la inflación alcanzó el {pct} % en {month}",
        "más de {num} personas han sido desplazadas desde {month}",
        "el comercio bilateral cayó un {pct} % respecto al año anterior",
        "la participación electoral fue del {pct} %",
        "las reservas de gas cubren {small} semanas de consumo",
        "el déficit público se situó en el {pct} % del PIB",
        "el desempleo juvenil llegó al {pct} % en {month}",
    ),
    outcomes=(
        "terminó sin acuerdo", "acabó con un compromiso parcial", "se cerró con una declaración conjunta",
        "concluyó antes de lo previsto", "se prolongó hasta la madrugada",
    ),
    headings=(
        "Contexto", "Qué está en juego", "Antecedentes", "Próximos pasos", "Reacciones", "Claves",
        "Lo que viene", "Análisis", "El papel de {country}", "Impacto en {country}",
    ),
    months=(
        "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
        "octubre", "noviembre", "diciembre",
    ),
    meeting="La reunión entre {a} y {b} {outcome}.",
    according="Según fuentes de {org}, {stat}.",
    analysts="Los analistas consultados creen que {clause}, aunque {clause2}.",
    in_country="En {country}, {subject} {verb} {object}.",
    report="informe de {publisher}",
    interview="entrevista con {person}",
    earlier="el briefing anterior",
    update="Actualización {k}: la situación sigue abierta y este resumen se revisará.",
    table_head=("País", "Indicador"),
    indicators=("Inflación (%)", "Crecimiento del PIB (%)", "Desempleo (%)", "Deuda pública (% PIB)"),
)  # fmt: skip

EN = Lang(
    code="en",
    subjects=(
        "the government", "the foreign ministry", "the defence ministry", "the finance ministry",
        "the opposition", "parliament", "the delegation", "the central bank", "the authorities",
        "the negotiators", "the army", "the prosecutor's office", "the supreme court",
        "the electoral commission", "the unions", "the business lobby", "the embassy",
        "international observers", "the state news agency", "the cabinet",
    ),
    verbs=(
        "announced", "rejected", "proposed", "confirmed", "postponed", "criticised", "negotiated",
        "approved", "denounced", "backed", "suspended", "reviewed", "defended", "unveiled",
        "questioned",
    ),
    title_verbs=(
        "announces", "rejects", "proposes", "confirms", "postpones", "criticises", "negotiates",
        "approves", "denounces", "backs", "suspends", "reviews", "defends", "unveils", "questions",
    ),
    objects=(
        "a new package of sanctions", "the ceasefire agreement", "the tax reform",
        "a humanitarian aid plan", "the electoral calendar", "the peace talks",
        "the pipeline expansion", "the defence budget", "an emergency loan",
        "the reopening of the border", "the prisoner exchange", "the new export quotas",
        "the deployment of observers", "the media law", "a humanitarian corridor",
        "the interest rate rise", "the free trade treaty", "the constitutional reform",
        "the nuclear programme", "the debt restructuring",
    ),
    complements=(
        "after weeks of talks", "despite criticism from the opposition", "in a closed-door meeting",
        "according to diplomatic sources", "late on Tuesday", "amid large protests",
        "without giving further details", "under pressure from the markets",
        "in an official statement", "after a long parliamentary session",
        "as regional tension grows", "with the backing of its partners",
        "in the middle of the election campaign", "a few days before the summit",
    ),
    connectors=(
        "Moreover,", "However,", "For its part,", "Meanwhile,", "At the same time,", "In turn,",
        "On the other hand,", "Still,", "By contrast,",
    ),
    says=("said", "stated", "insisted", "warned", "acknowledged", "stressed", "argued", "noted"),
    clauses=(
        "the priority is to avoid an escalation", "there will be no concessions without guarantees",
        "the dialogue remains open", "the deadlines are too tight",
        "the humanitarian situation is critical", "the sanctions have not worked as expected",
        "the deal could be signed before the end of the year", "the economy will absorb the shock",
        "regional cooperation is essential", "more money is needed for reconstruction",
        "the decision cannot be reversed", "details are still being negotiated",
    ),
    stats=(
        "inflation reached {pct}% in {month}",
        "more than {num} people have been displaced since {month}",
        "bilateral trade fell {pct}% from the previous year",
        "turnout was {pct}%",
        "gas reserves cover {small} weeks of consumption",
        "the public deficit stood at {pct}% of GDP",
        "youth unemployment hit {pct}% in {month}",
    ),
    outcomes=(
        "ended without a deal", "ended with a partial compromise", "closed with a joint statement",
        "finished earlier than planned", "went on until the early hours",
    ),
    headings=(
        "Background", "What is at stake", "Next steps", "Reactions", "Key points",
        "What to watch", "Analysis", "The role of {country}", "Impact on {country}",
    ),
    months=(
        "January", "February", "March", "April", "May", "June", "July", "August", "September",
        "October", "November", "December",
    ),
    meeting="The meeting between {a} and {b} {outcome}.",
    according="According to {org}, {stat}.",
    analysts="Analysts consulted believe that {clause}, although {clause2}.",
    in_country="In {country}, {subject} {verb} {object}.",
    report="report by {publisher}",
    interview="interview with {person}",
    earlier="the previous briefing",
    update="Update {k}: the situation remains open and this summary will be revised.",
    table_head=("Country", "Indicator"),
    indicators=("Inflation (%)", "GDP growth (%)", "Unemployment (%)", "Public debt (% of GDP)"),
)  # fmt: skip

PUBLISHERS: tuple[tuple[str, str], ...] = (
    ("Diario del Sur", "diariodelsur.example"),
    ("La Crónica Global", "cronicaglobal.example"),
    ("The Northern Ledger", "northernledger.example"),
    ("Agencia Meridiana", "meridiana.example"),
    ("World Affairs Weekly", "worldaffairsweekly.example"),
    ("El Observador Atlántico", "observadoratlantico.example"),
    ("Pacific Wire", "pacificwire.example"),
    ("Revista Horizonte", "horizonte.example"),
    ("Eastern Dispatch", "easterndispatch.example"),
    ("Boletín Andino", "boletinandino.example"),
    ("Gazette of the Levant", "levantgazette.example"),
    ("Noticias del Plata", "noticiasdelplata.example"),
)

_CODE_SNIPPETS = (
    '```json\n{{\n  "actor": "{person}",\n  "pais": "{code}",\n  "indicador": "inflación",\n'
    '  "valor": {value}\n}}\n```',
    '```python\nserie = {{"2025": {value}, "2026": {value2}}}  # {country}\n'
    "cambio = serie['2026'] - serie['2025']\nprint(f\"{{cambio:+.1f}}\")\n```",
    "```text\nFuente: {person}\nPaís: {country} ({code})\nValor: {value}\n```",
    '```yaml\nactor: "{person}"\ncountry: {code}\nvalue: {value}\n```',
)

_UTC_OFFSETS = (timezone(timedelta(hours=1)), timezone(timedelta(hours=2)), UTC)

# --------------------------------------------------------------------------- helpers


def fold(text: str) -> str:
    """Case-, accent- and punctuation-insensitive key: stricter than the generator's."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[^0-9a-z]+", " ", stripped).split())


def slugify(text: str, limit: int = 80) -> str:
    words = fold(text).split()
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > limit and slug:
            break
        slug = candidate
    return slug[:limit] or "x"


def _cumulative(weights: Sequence[float]) -> list[float]:
    total = 0.0
    out = []
    for w in weights:
        total += w
        out.append(total)
    return out


def _zipf(count: int, exponent: float) -> list[float]:
    return _cumulative([1.0 / (rank + 1) ** exponent for rank in range(count)])


def _draw(rng: Random, cum: Sequence[float]) -> int:
    return bisect.bisect(cum, rng.random() * cum[-1], 0, len(cum) - 1)


def _distinct(rng: Random, cum: Sequence[float], k: int) -> list[int]:
    chosen: list[int] = []
    while len(chosen) < k:
        i = _draw(rng, cum)
        if i not in chosen:
            chosen.append(i)
    return chosen


def _count(rng: Random, table: Sequence[tuple[int, int]]) -> int:
    """A value drawn from a table of (value, weight)."""
    cum = _cumulative([w for _, w in table])
    return table[_draw(rng, cum)][0]


# How many actors, tags and sources a briefing has: (count, weight).
PEOPLE_K = ((2, 15), (3, 22), (4, 22), (5, 16), (6, 11), (7, 8), (8, 6))
COUNTRIES_K = ((1, 30), (2, 28), (3, 18), (4, 12), (5, 7), (6, 5))
ORGANIZATIONS_K = ((0, 30), (1, 35), (2, 25), (3, 10))
TAGS_K = ((1, 15), (2, 30), (3, 30), (4, 15), (5, 10))
SOURCES_K = ((1, 40), (2, 40), (3, 20))


def _capitalize(text: str) -> str:
    return text[:1].upper() + text[1:]


# --------------------------------------------------------------------------- YAML

_YAML_WORDS = frozenset(
    ["y", "yes", "n", "no", "true", "false", "on", "off", "null", "~", "nan", "inf"]
)  # YAML 1.1 and 1.2 specials, compared case-insensitively
_PLAIN = re.compile(r"^[^\s\-?:,\[\]{}#&*!|>'\"%@`0-9+.][^\n\t]*$")
# Which list keys are written one item per line; the others are written [a, b, c].
BLOCK_LISTS = frozenset({"people", "sources"})


def yaml_scalar(value: str | date, flow: bool = False) -> str:
    """A scalar as a person would type it: plain when safe, else double-quoted (JSON is YAML)."""
    if isinstance(value, date):  # datetime too
        return value.isoformat()
    plain = (
        _PLAIN.match(value) is not None
        and value == value.strip()
        and value.casefold() not in _YAML_WORDS
        and ": " not in value
        and " #" not in value
        and not value.endswith(":")
        and not (flow and any(c in value for c in ",[]{}:"))
    )
    return value if plain else json.dumps(value, ensure_ascii=False)


def yaml_document(data: Mapping[str, object]) -> str:
    """A small, deterministic emitter for the corpus's front matter and registry files."""
    lines: list[str] = []
    for key, value in data.items():
        if isinstance(value, Mapping):
            lines.append(f"{key}:")
            lines.extend(f"  {k}: {yaml_scalar(v)}" for k, v in value.items())
        elif isinstance(value, list | tuple):
            if key in BLOCK_LISTS and value:
                lines.append(f"{key}:")
                for item in value:
                    if isinstance(item, Mapping):
                        first = True
                        for k, v in item.items():
                            lines.append(f"{'- ' if first else '  '}{k}: {yaml_scalar(v)}")
                            first = False
                    else:
                        lines.append(f"- {yaml_scalar(item)}")
            else:
                items = ", ".join(yaml_scalar(v, flow=True) for v in value)
                lines.append(f"{key}: [{items}]")
        else:
            assert isinstance(value, str | date), (key, value)
            lines.append(f"{key}: {yaml_scalar(value)}")
    return "\n".join(lines) + "\n"


def split_front_matter(text: str) -> tuple[str, str]:
    """(front matter YAML, rest) of a briefing written by this module."""
    assert text.startswith("---\n"), "not a corpus briefing"
    end = text.index("\n---\n", 3)
    return text[4 : end + 1], text[end + 5 :]


# --------------------------------------------------------------------------- people


@dataclass(frozen=True)
class Person:
    rank: int  # 0 is the most cited
    id: str
    name: str
    surname: str  # the family name as written in the text after a first mention
    aliases: tuple[str, ...]
    role: str
    country: str
    registered: bool

    def reference(self, rng: Random) -> str:
        """How a front matter list names this person: mostly the name, else an alias or the id."""
        if not self.registered:
            return self.name
        r = rng.random()
        if r < 0.10 and self.aliases:
            return self.aliases[0]
        if r > 0.94:
            return self.id
        return self.name

    def short(self) -> str:
        """The second mention in a text: the surname alias when there is one."""
        return self.surname if self.surname in self.aliases else self.name


@dataclass(frozen=True)
class Plan:
    """Everything about a corpus that is not a briefing: cheap to recompute."""

    n: int
    seed: int
    people: tuple[Person, ...]
    tags: tuple[str, ...]
    days: int

    @property
    def registered(self) -> tuple[Person, ...]:
        return tuple(p for p in self.people if p.registered)


def _vocabulary() -> frozenset[str]:
    words: set[str] = set()
    for lang in (ES, EN):
        for value in vars(lang).values():
            texts = value if isinstance(value, tuple) else (value,)
            for text in texts:
                words.update(fold(str(text)).split())
    return frozenset(words)


def _reserved() -> dict[str, str]:
    """Folded keys already taken by countries and organizations, with their owner."""
    taken: dict[str, str] = {}
    for code, es, en in COUNTRIES:
        for text in (code, es, en):
            taken[fold(text)] = f"country:{code}"
    for org in ORGANIZATIONS:
        for text in (org.id, org.name, *org.labels.values(), *org.aliases):
            taken[fold(text)] = f"organization:{org.id}"
    return taken


def _join(start: str, end: str) -> str:
    """Two syllables as one word, without a doubled vowel at the seam ("Pra" + "ana")."""
    if start and end and start[-1] in "aiu" and end[0] == start[-1]:
        return start + end[1:]
    return start + end


def _name(rng: Random, style: str) -> tuple[str, str, str]:
    """(full name, family name, given name) in a style."""
    given_a, given_b, sur_a, sur_b = _STYLES[style]
    given = _join(rng.choice(given_a), rng.choice(given_b))
    surname = _join(rng.choice(sur_a), rng.choice(sur_b))
    if style == "korean":
        given = f"{rng.choice(given_a)}-{rng.choice(given_b)}"
        return f"{surname} {given}", surname, given
    if style == "japanese":
        return f"{surname} {given}", surname, given
    if style == "arabic":
        prefix = rng.choice(("al-", "al-", "Ben ", "Abu "))
        surname = prefix + surname
        return f"{given} {surname}", surname, given
    if style in ("hispanic", "lusophone") and rng.random() < 0.55:
        second = _join(rng.choice(sur_a), rng.choice(sur_b))
        if style == "lusophone" and rng.random() < 0.4:
            second = rng.choice(("da ", "dos ", "de ")) + second
        return f"{given} {surname} {second}", surname, given
    return f"{given} {surname}", surname, given


_VOWELS = "aeiou"


def _misspell(rng: Random, name: str) -> str:
    """A plausible misspelling: one vowel of the last word changed ("Suk-yeol" -> "Suk-yaol")."""
    words = name.split(" ")
    last = words[-1]
    spots = [i for i, c in enumerate(last) if c in _VOWELS]
    if not spots:
        return name
    i = rng.choice(spots)
    repl = rng.choice([v for v in _VOWELS if v != last[i]])
    words[-1] = last[:i] + repl + last[i + 1 :]
    return " ".join(words)


def plan(n: int, seed: int = 1) -> Plan:
    """The people pool, tags and calendar of the corpus ``(n, seed)``."""
    if n < 1:
        raise ValueError("n must be at least 1")
    rng = Random(f"briefing-bench:{seed}:plan")
    vocabulary = _vocabulary()
    taken = _reserved()
    reserved_words = {k for k in taken if " " not in k}  # single-word country and org names
    pool = max(20, round(n / 10))
    registered_count = round(pool * REGISTERED_FRACTION)
    # Curators register whom they cite most: the ten most cited are always registered.
    unregistered = set(rng.sample(range(10, pool), pool - registered_count))
    styles = [s for s, _ in _STYLE_WEIGHTS]
    style_cum = _cumulative([w for _, w in _STYLE_WEIGHTS])

    name_words: Counter[str] = Counter()
    alias_words: set[str] = set()  # single-word aliases: no other name may contain them
    slugs: set[str] = set()
    people: list[Person] = []
    for rank in range(pool):
        owner = f"person:{rank}"
        style = styles[_draw(rng, style_cum)]
        for _ in range(1000):
            name, surname, given = _name(rng, style)
            key, slug = fold(name), slugify(name, 120)
            words = set(key.split())
            if (
                key not in taken
                and slug not in slugs
                and not words & alias_words
                and not words & reserved_words
            ):
                break
        else:  # pragma: no cover - the name space is far larger than any pool
            raise RuntimeError(f"could not find a unique name for person {rank}")
        taken[key] = owner
        slugs.add(slug)
        name_words.update(words)
        aliases: list[str] = []
        registered = rank not in unregistered
        if registered and rng.random() < 0.35:
            wanted = 1 if rng.random() < 0.7 else 2
            candidates = [surname, f"{given[0]}. {surname}", _misspell(rng, name)]
            rng.shuffle(candidates)
            for alias in candidates:
                akey = fold(alias)
                if len(aliases) == wanted or not akey or akey == key or akey in taken:
                    continue
                if " " not in akey:
                    if (
                        len(akey) < 5
                        or akey in vocabulary
                        or akey in reserved_words
                        or name_words[akey] > 1
                    ):
                        continue
                    alias_words.add(akey)
                taken[akey] = owner
                aliases.append(alias)
        people.append(
            Person(
                rank=rank,
                id=slug,
                name=name,
                surname=surname,
                aliases=tuple(aliases),
                role=rng.choice(_ROLES),
                country=rng.choice(_STYLE_COUNTRIES[style]),
                registered=registered,
            )
        )

    # The plain topics are the most used, the regional ones come after them.
    tags = list(_TAG_BASES)
    rng.shuffle(tags)
    regional = [f"{base} {region}" for region in _TAG_REGIONS for base in _TAG_BASES[:18]]
    rng.shuffle(regional)
    tags = (tags + regional)[:200]
    return Plan(n=n, seed=seed, people=tuple(people), tags=tuple(tags), days=max(1, round(n / 10)))


# --------------------------------------------------------------------------- briefings


@dataclass
class _Context:
    """One briefing being written: its language and actors, and who was mentioned already."""

    rng: Random
    lang: Lang
    plan: Plan
    people_cum: Sequence[float]
    people: list[Person]
    countries: list[tuple[str, str, str]]
    orgs: list[Organization]
    sources: list[dict[str, str]]
    mentioned: set[int]

    def person(self) -> str:
        rng = self.rng
        if rng.random() < 0.1 or not self.people:
            p = self.plan.people[_draw(rng, self.people_cum)]  # a text-only mention
        else:
            p = rng.choice(self.people)
        if p.rank in self.mentioned and rng.random() < 0.6:
            return p.short()
        self.mentioned.add(p.rank)
        return p.name

    def country(self) -> str:
        _code, es, en = self.rng.choice(self.countries)
        return es if self.lang is ES else en

    def org(self) -> str:
        if self.orgs and self.rng.random() < 0.8:
            return self.rng.choice(self.orgs).label(self.lang.code)
        return self.rng.choice(ORGANIZATIONS).label(self.lang.code)

    def numbers(self) -> dict[str, str]:
        rng = self.rng
        whole, tenth = rng.randint(1, 45), rng.randint(0, 9)
        num = rng.randint(2, 950) * 1000
        if self.lang is ES:
            return {
                "pct": f"{whole},{tenth}",
                "num": f"{num:,}".replace(",", "."),
                "small": str(rng.randint(2, 30)),
                "month": rng.choice(self.lang.months),
            }
        return {
            "pct": f"{whole}.{tenth}",
            "num": f"{num:,}",
            "small": str(rng.randint(2, 30)),
            "month": rng.choice(self.lang.months),
        }

    def emphasis(self, text: str) -> str:
        r = self.rng.random()
        if r < 0.05:
            return f"*{text}*"
        if r < 0.08:
            return f"**{text}**"
        return text

    def sentence(self) -> str:
        rng, lang = self.rng, self.lang
        kind = rng.randrange(8)
        if kind in (0, 1):
            conn = rng.choice(lang.connectors) + " " if rng.random() < 0.4 else ""
            subject = rng.choice(lang.subjects)
            of = " de " if lang is ES else " of "
            text = (
                f"{conn}{subject}{of}{self.country()} {rng.choice(lang.verbs)} "
                f"{self.emphasis(rng.choice(lang.objects))} {rng.choice(lang.complements)}."
            )
        elif kind in (2, 3):
            text = (
                f"{self.person()} {rng.choice(lang.says)} "
                f"{'que' if lang is ES else 'that'} {rng.choice(lang.clauses)} "
                f"{rng.choice(lang.complements)}."
            )
        elif kind == 4:
            stat = rng.choice(lang.stats).format(**self.numbers())
            text = lang.according.format(org=self.org(), stat=stat)
        elif kind == 5:
            a, b = self.person(), self.person()
            if a == b:
                b = self.country()
            text = lang.meeting.format(a=a, b=b, outcome=rng.choice(lang.outcomes))
        elif kind == 6:
            text = lang.in_country.format(
                country=self.country(),
                subject=rng.choice(lang.subjects),
                verb=rng.choice(lang.verbs),
                object=rng.choice(lang.objects),
            )
        else:
            c1, c2 = rng.sample(lang.clauses, 2)
            text = lang.analysts.format(clause=c1, clause2=c2)
        text = _capitalize(text)
        r = rng.random()
        if r < 0.04 and self.sources:
            source = rng.choice(self.sources)
            label = lang.report.format(publisher=source["publisher"])
            text = f"{text[:-1]} ([{label}]({source['url']}))."
        elif r < 0.06 and self.sources:
            label = lang.interview.format(person=self.person())
            text = f"{text[:-1]} ([{label}]({rng.choice(self.sources)['url']}))."
        elif r < 0.075:
            text = f"{text[:-1]} (expediente `RES-{rng.randint(2020, 2026)}-{rng.randint(1, 999):03d}`)."
        return text

    def heading(self) -> str:
        return "## " + self.rng.choice(self.lang.headings).format(country=self.country())

    def bullets(self) -> str:
        rng, lang = self.rng, self.lang
        items = []
        for _ in range(rng.randint(3, 6)):
            kind = rng.randrange(3)
            if kind == 0:
                items.append(
                    f"- **{self.country()}**: {rng.choice(lang.objects)} {rng.choice(lang.complements)}."
                )
            elif kind == 1:
                items.append(
                    f"- {self.person()} {rng.choice(lang.says)}: «{rng.choice(lang.clauses)}»."
                )
            else:
                items.append(
                    "- " + _capitalize(rng.choice(lang.stats).format(**self.numbers())) + "."
                )
        return "\n".join(items)

    def table(self) -> str:
        rng, lang = self.rng, self.lang
        indicator = rng.choice(lang.indicators)
        rows = [
            f"| {lang.table_head[0]} | {lang.table_head[1]} | 2025 | 2026 |",
            "|---|---|---:|---:|",
        ]
        for _ in range(rng.randint(3, 6)):
            a, b = rng.uniform(-3, 12), rng.uniform(-3, 12)
            cells = (f"{a:.1f}", f"{b:.1f}")
            if lang is ES:
                cells = (cells[0].replace(".", ","), cells[1].replace(".", ","))
            rows.append(f"| {self.country()} | {indicator} | {cells[0]} | {cells[1]} |")
        return "\n".join(rows)

    def code_block(self) -> str:
        rng = self.rng
        code, es, en = rng.choice(self.countries)
        return rng.choice(_CODE_SNIPPETS).format(
            person=self.person(),
            code=code,
            country=es if self.lang is ES else en,
            value=f"{rng.uniform(0, 9):.1f}",
            value2=f"{rng.uniform(0, 9):.1f}",
        )


def _words(text: str) -> int:
    return len(text.split())


def _body(ctx: _Context, earlier: str | None) -> str:
    rng = ctx.rng
    target = rng.randint(400, 840)  # the last sentence may add up to ~45 words
    table = rng.random() < 0.10
    code = rng.random() < 0.05
    blocks: list[str] = []
    words = 0
    pending = ["heading", "bullets"]
    if rng.random() < 0.5:
        pending.append("heading2")
    if table:
        pending.append("table")
    if code:
        pending.append("code")
    thresholds = {"heading": 0.25, "bullets": 0.45, "table": 0.6, "code": 0.7, "heading2": 0.75}
    paragraph: list[str] = []
    size = rng.randint(3, 6)
    while True:
        due = [b for b in pending if words >= thresholds[b] * target]
        if due and not paragraph:
            block = due[0]
            pending.remove(block)
            if block.startswith("heading"):
                text = ctx.heading()
            elif block == "bullets":
                text = ctx.bullets()
            elif block == "table":
                text = ctx.table()
            else:
                text = ctx.code_block()
            blocks.append(text)
            words += _words(text)
            continue
        if words >= target and not pending:
            if paragraph:
                blocks.append(" ".join(paragraph))
            break
        sentence = ctx.sentence()
        paragraph.append(sentence)
        words += _words(sentence)
        if len(paragraph) >= size:
            blocks.append(" ".join(paragraph))
            paragraph = []
            size = rng.randint(3, 6)
    if earlier is not None:
        link = f"{ctx.lang.earlier.capitalize()}: [{ctx.lang.earlier}]({earlier})."
        if blocks and not blocks[-1].startswith(("#", "-", "|", "`")):
            blocks[-1] = f"{blocks[-1]} {link}"
        else:
            blocks.append(link)
    if blocks[-1].startswith(("#", "-", "|", "`")):  # always end with a paragraph
        blocks.append(ctx.sentence())
    return "\n\n".join(blocks) + "\n"


def _title(ctx: _Context) -> str:
    rng, lang = ctx.rng, ctx.lang
    kind = rng.randrange(4)
    if kind == 0:
        title = f"{ctx.people[0].name} {rng.choice(lang.title_verbs)} {rng.choice(lang.objects)}"
    elif kind == 1:
        title = f"{ctx.country()}: {rng.choice(lang.objects)} {rng.choice(lang.complements)}"
    elif kind == 2:
        title = f"{ctx.org()} {rng.choice(lang.title_verbs)} {rng.choice(lang.objects)}"
    else:
        a, b = ctx.country(), ctx.country()
        joiner = " y " if lang is ES else " and "
        who = a if a == b else f"{a}{joiner}{b}"
        title = f"{who}: {rng.choice(lang.clauses)}"
    return _capitalize(title)


def _tag_spelling(rng: Random, tag: str) -> str:
    r = rng.random()
    if r < 0.02:
        return _capitalize(tag)
    if r < 0.03:
        return "".join(
            c for c in unicodedata.normalize("NFKD", tag) if not unicodedata.combining(c)
        )
    return tag


def _briefings(plan_: Plan) -> Iterator[tuple[str, str]]:
    """(relative path, text) of every briefing, in date order."""
    n, seed = plan_.n, plan_.seed
    people_cum = _zipf(len(plan_.people), 1.0)
    country_cum = _zipf(len(COUNTRIES), 1.1)
    org_cum = _zipf(len(ORGANIZATIONS), 0.9)
    tag_cum = _zipf(len(plan_.tags), 1.0)
    start = END_DATE - timedelta(days=plan_.days - 1)
    slugs: set[str] = set()
    written: list[str] = []
    for i in range(n):
        rng = Random(f"briefing-bench:{seed}:{i}")
        day = start + timedelta(days=i * plan_.days // n)
        lang = ES if rng.random() < 0.75 else EN
        people = [plan_.people[j] for j in _distinct(rng, people_cum, _count(rng, PEOPLE_K))]
        countries = [COUNTRIES[j] for j in _distinct(rng, country_cum, _count(rng, COUNTRIES_K))]
        orgs = [ORGANIZATIONS[j] for j in _distinct(rng, org_cum, _count(rng, ORGANIZATIONS_K))]
        tags = [plan_.tags[j] for j in _distinct(rng, tag_cum, _count(rng, TAGS_K))]
        ctx = _Context(rng, lang, plan_, people_cum, people, countries, orgs, [], set())

        title = _title(ctx)
        slug = slugify(title, 70)
        if slug in slugs:
            k = 2
            while f"{slug}-{k}" in slugs:
                k += 1
            slug = f"{slug}-{k}"
        slugs.add(slug)
        path = f"content/briefings/{day.year}/{slug}.md"

        for _ in range(_count(rng, SOURCES_K)):
            publisher, domain = rng.choice(PUBLISHERS)
            words = slugify(rng.choice(lang.objects), 50)
            ctx.sources.append(
                {
                    "title": _capitalize(
                        f"{rng.choice(lang.objects)} {rng.choice(lang.complements)}"
                    ),
                    "url": f"https://www.{domain}/{day:%Y/%m/%d}/{words}-{rng.randint(1000, 99999)}.html",
                    "publisher": publisher,
                }
            )

        when: date = day
        if rng.random() < 0.1:
            hour, minute = rng.randint(6, 22), rng.choice((0, 15, 30, 45))
            when = datetime(
                day.year, day.month, day.day, hour, minute, tzinfo=rng.choice(_UTC_OFFSETS)
            )
        front: dict[str, object] = {"title": title, "date": when}
        if rng.random() < 0.5:
            front["summary"] = ctx.sentence()
        if lang is EN:
            front["lang"] = "en"
        front["people"] = [p.reference(rng) for p in people]
        spelling = ((0, 40), (1, 40), (2, 20)) if lang is ES else ((0, 40), (1, 20), (2, 40))
        front["countries"] = [c[_count(rng, spelling)] for c in countries]
        if orgs:
            front["organizations"] = [
                (org.id, org.name, org.label(lang.code), *org.aliases)[
                    _count(rng, ((0, 10), (1, 30), (2, 40), (3, 20)))
                    if org.aliases
                    else _count(rng, ((0, 10), (1, 40), (2, 50)))
                ]
                for org in orgs
            ]
        front["tags"] = [_tag_spelling(rng, t) for t in tags]
        front["sources"] = ctx.sources

        earlier = None
        if written and rng.random() < 0.05:
            target = written[rng.randrange(max(0, len(written) - 200), len(written))]
            earlier = _relative(path, target)
        body = _body(ctx, earlier)
        written.append(path)
        yield path, f"---\n{yaml_document(front)}---\n\n{body}"


def _relative(source: str, target: str) -> str:
    """The relative link from one content file to another (both under content/briefings/)."""
    src_dir = source.split("/")[2]
    year, name = target.split("/")[2:4]
    return name if year == src_dir else f"../{year}/{name}"


def _site_config() -> str:
    return yaml_document(
        {
            "title": "Briefing sintético",
            "description": "Un corpus generado para medir el rendimiento de briefing.",
            "language": "es",
            "base_url": "https://example.org/",
            "timezone": "Europe/Madrid",
        }
    )


def _person_file(p: Person) -> str:
    data: dict[str, object] = {"name": p.name}
    if p.aliases:
        data["aliases"] = list(p.aliases)
    data["role"] = p.role
    data["country"] = p.country
    return yaml_document(data)


def _organization_file(org: Organization) -> str:
    data: dict[str, object] = {"name": org.name}
    if org.labels:
        data["labels"] = dict(org.labels)
    if org.aliases:
        data["aliases"] = list(org.aliases)
    if org.members:
        data["members"] = list(org.members)
    return yaml_document(data)


def files(n: int, seed: int = 1) -> Iterator[tuple[str, str]]:
    """Every file of the corpus as (relative path, text), registry first."""
    plan_ = plan(n, seed)
    yield "briefing.yaml", _site_config()
    for p in plan_.people:
        if p.registered:
            yield f"content/people/{p.id}.yaml", _person_file(p)
    for org in ORGANIZATIONS:
        yield f"content/organizations/{org.id}.yaml", _organization_file(org)
    yield from _briefings(plan_)


def generate(root: Path, n: int, seed: int = 1) -> None:
    """Write the corpus ``(n, seed)`` into ``root`` (which must be empty or not exist)."""
    root = Path(root)
    if root.exists() and any(root.iterdir()):
        raise FileExistsError(f"{root} is not empty")
    made: set[Path] = set()
    for rel, text in files(n, seed):
        path = root / rel
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        path.write_bytes(text.encode("utf-8"))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("dir", type=Path, help="an empty or new folder for the site")
    parser.add_argument("n", type=int, help="how many briefings")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    try:
        generate(args.dir, args.n, args.seed)
    except (FileExistsError, ValueError) as exc:
        print(f"corpus: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
