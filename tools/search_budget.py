"""Measure the offline search against its budget on a large synthetic site.

Budget (at 10,000 briefings of 400-900 words): a page plus one query loads at
most 1 MB gzip-compressed in total, and a query answers in less than 50 ms.

This script generates 10,000 synthetic briefings (bodies of 400-900 words drawn
with a Zipf law from a seeded Spanish/English vocabulary of a few thousand
words: real frequent words, function words, and generated words with Spanish
morphology so that common prefixes such as "co", "de", "re" are as crowded as
in real text) plus their actors, builds the index into a temporary site with a
minimal page and a search page, then in headless Chromium over file://:

* for a few typical queries and for the worst case (the 2-letter prefix with
  the largest shard), the gzip bytes of page + search.js + every index file
  the query loaded, for the header suggestions (top 8) and for the search page
  (top 20 with snippets);
* the query time, performance.now() around ``briefingSearch.query(q)``: cold
  (first query of the page, loading the index files) and warm (median).

Usage: python tools/search_budget.py [--docs 10000] [--keep DIR] [--json]
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from briefing.search import SearchDoc, build_index  # noqa: E402

SEARCH_JS = ROOT / "layouts" / "assets" / "search.js"
CHROMIUM = "/usr/bin/chromium"


def words(text: str) -> list[str]:
    return text.split()


FUNCTION_WORDS = words(
    "de la que el en y a los se del las un por con no una su para es al lo como más pero sus le "
    "ya o este sí porque esta entre cuando muy sin sobre también me hasta hay donde quien desde "
    "todo nos durante todos uno les ni contra otros ese eso ante ellos e esto mí antes algunos "
    "qué unos yo otro otras otra él tanto esa estos mucho quienes nada muchos cual poco ella "
    "estar estas algunas algo nosotros the of and to in is that for on with as by at from"
)

REAL_WORDS = words(
    "gobierno presidente país países ministro política económica economía elecciones guerra paz "
    "acuerdo acuerdos seguridad defensa militar fuerzas tropas frontera fronteras región regional "
    "internacional nacional millones años año mundo mundial crisis conflicto conflictos sanciones "
    "comercio exportaciones importaciones energía petróleo gas precios inflación mercado mercados "
    "banco central deuda reforma reformas parlamento congreso senado oposición partido partidos "
    "votos votación campaña candidato candidata coalición alianza cumbre reunión negociaciones "
    "diplomacia diplomático embajada embajador relaciones bilateral cooperación ayuda humanitaria "
    "refugiados migración migrantes derechos humanos justicia tribunal corte ley leyes constitución "
    "protestas manifestaciones violencia ataque ataques misiles nuclear armas ejército marina "
    "aérea inteligencia espionaje ciberataque tecnología chips semiconductores inversión "
    "inversiones crecimiento desarrollo pobreza desigualdad salud pandemia vacunas clima climático "
    "emisiones carbón renovables sequía alimentos trigo agricultura industria empresas empleo "
    "desempleo salarios huelga sindicatos población ciudad ciudades capital provincia estado "
    "estados unión europea europeo asia asiático áfrica africano américa latina oriente medio "
    "norte sur este oeste océano pacífico atlántico mar rojo negro mediterráneo estrecho isla islas "
    "territorio soberanía independencia ocupación invasión retirada alto fuego tregua rehenes "
    "prisioneros víctimas muertos heridos civiles periodistas prensa medios información "
    "desinformación redes sociales opinión análisis informe datos fuentes según funcionarios "
    "portavoz declaración comunicado anuncio decisión medida medidas plan programa presupuesto "
    "fiscal impuestos aranceles moneda dólar euro yuan rublo tipo interés bonos mercado bursátil "
    "government president minister election elections war peace agreement security defense "
    "military trade energy oil prices inflation market bank debt reform parliament party vote "
    "campaign summit talks relations cooperation aid refugees rights court law protests attack "
    "missiles nuclear weapons army technology investment growth health climate emissions food "
    "industry jobs population city state union european asia africa america middle east"
)

PREFIXES = [
    "",
    "",
    "",
    "",
    "re",
    "des",
    "in",
    "con",
    "pre",
    "pro",
    "com",
    "tras",
    "sub",
    "inter",
    "co",
    "de",
    "en",
    "ex",
]
ONSETS = [
    "b",
    "c",
    "d",
    "f",
    "g",
    "l",
    "m",
    "n",
    "p",
    "r",
    "s",
    "t",
    "v",
    "ch",
    "br",
    "tr",
    "pl",
    "gr",
    "cr",
    "st",
]
VOWELS = ["a", "e", "i", "o", "u", "a", "e", "o", "ia", "ue"]
CODAS = ["", "", "", "n", "r", "s", "l"]
SUFFIXES = [
    "ción",
    "ciones",
    "ar",
    "ado",
    "ada",
    "ados",
    "adas",
    "miento",
    "mientos",
    "idad",
    "ismo",
    "ista",
    "istas",
    "ente",
    "entes",
    "mente",
    "al",
    "ales",
    "ico",
    "ica",
    "icos",
    "o",
    "a",
    "os",
    "as",
    "er",
    "ido",
    "ía",
    "ería",
    "ero",
    "era",
    "ión",
    "ivo",
    "iva",
    "ancia",
    "encia",
]

FIRST_NAMES = words(
    "Ana Luis María José Carmen Pedro Lucía Javier Elena Carlos Sofía Miguel Laura Andrés Marta "
    "Olaf Emmanuel Giorgia Joe Kamala Xi Vladimir Narendra Luiz Gustavo Javier Claudia Recep "
    "Volodímir Benjamin Mohammed Ursula Antonio Pedro Keir Rishi Fumio Shinzo Yoon Kim Ali Ebrahim"
)
LAST_NAMES = words(
    "García Fernández González Rodríguez López Martínez Sánchez Pérez Gómez Martín Jiménez Ruiz "
    "Hernández Díaz Moreno Álvarez Muñoz Romero Scholz Macron Meloni Biden Harris Jinping Putin "
    "Modi Lula Petro Milei Sheinbaum Erdoğan Zelenski Netanyahu Salmán Leyen Guterres Sánchez "
    "Starmer Sunak Kishida Abe Suk-yeol Jong-un Jamenei Raisi Okonjo Ramaphosa Tinubu Ruto"
)
COUNTRIES = (
    "España Francia Alemania Italia Portugal Reino_Unido Irlanda Países_Bajos Bélgica Suiza Austria "
    "Polonia Ucrania Rusia Bielorrusia Turquía Grecia Suecia Noruega Finlandia Dinamarca Hungría "
    "Rumanía Serbia China Japón Corea_del_Sur Corea_del_Norte India Pakistán Irán Irak Siria Israel "
    "Palestina Líbano Jordania Egipto Arabia_Saudí Emiratos Catar Yemen Afganistán Indonesia "
    "Filipinas Vietnam Tailandia Australia Nueva_Zelanda Estados_Unidos Canadá México Guatemala "
    "Cuba Venezuela Colombia Perú Brasil Bolivia Chile Argentina Uruguay Paraguay Ecuador "
    "Marruecos Argelia Túnez Libia Sudán Etiopía Kenia Nigeria Sudáfrica Mali Níger Senegal"
)
ORGANIZATIONS = [
    "OTAN",
    "ONU",
    "Unión Europea",
    "Banco Mundial",
    "FMI",
    "OMS",
    "OMC",
    "OPEP",
    "G7",
    "G20",
    "BRICS",
    "ASEAN",
    "Unión Africana",
    "Mercosur",
    "OEA",
    "OCDE",
    "Consejo de Seguridad",
    "Corte Penal Internacional",
    "Banco Central Europeo",
    "Reserva Federal",
    "Hamás",
    "Hezbolá",
]
CJK_ALIASES = {
    "Kishida": "岸田文雄",
    "Abe": "安倍晋三",
    "Jinping": "习近平",
    "Suk-yeol": "윤석열",
    "Jong-un": "김정은",
}
TAGS = [
    "defensa",
    "energía",
    "comercio",
    "elecciones",
    "migración",
    "clima",
    "tecnología",
    "salud",
    "derechos humanos",
    "diplomacia",
    "economía",
    "seguridad",
    "conflictos",
    "sanciones",
    "alimentos",
    "finanzas",
    "terrorismo",
    "nuclear",
    "espacio",
    "ciberseguridad",
]
MONTHS = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
]


def make_vocabulary(rng: random.Random, size: int) -> list[str]:
    words = list(dict.fromkeys(REAL_WORDS))
    seen = set(words) | set(FUNCTION_WORDS)
    while len(words) < size:
        stem = "".join(
            rng.choice(ONSETS) + rng.choice(VOWELS) + rng.choice(CODAS)
            for _ in range(rng.choice([1, 1, 2, 2, 3]))
        )
        word = rng.choice(PREFIXES) + stem + rng.choice(SUFFIXES)
        if word not in seen and 3 <= len(word) <= 16:
            seen.add(word)
            words.append(word)
    return words


class Generator:
    def __init__(self, seed: int = 20240131, vocabulary: int = 4000) -> None:
        self.rng = random.Random(seed)
        self.vocab = make_vocabulary(self.rng, vocabulary)
        weights = [1.0 / (rank + 8) ** 1.05 for rank in range(len(self.vocab))]
        self.cum_weights = list(itertools.accumulate(weights))
        self.countries = [c.replace("_", " ") for c in words(COUNTRIES)]
        people: list[str] = []
        for _ in range(400):
            name = f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"
            if name not in people:
                people.append(name)
        self.people = people

    def actors(self) -> list[tuple[str, str, tuple[str, ...]]]:
        out: list[tuple[str, str, tuple[str, ...]]] = []
        for name in self.people:
            aliases = [name.split()[-1]]
            cjk = CJK_ALIASES.get(name.split()[-1])
            if cjk:
                aliases.append(cjk)
            out.append(("person", name, tuple(aliases)))
        out.extend(("country", c, ()) for c in self.countries)
        out.extend(("organization", o, ()) for o in ORGANIZATIONS)
        return out

    def sentence(self, actors: list[str], words: int) -> str:
        rng = self.rng
        content = rng.choices(self.vocab, cum_weights=self.cum_weights, k=words)
        out: list[str] = []
        for i in range(words):
            r = rng.random()
            if r < 0.42:
                out.append(rng.choice(FUNCTION_WORDS))
            elif r < 0.45 and actors:
                out.append(rng.choice(actors))
            else:
                out.append(content[i])
        text = " ".join(out)
        return text[0].upper() + text[1:] + "."

    def text(self, actors: list[str], words: int) -> str:
        parts: list[str] = []
        count = 0
        while count < words:
            n = self.rng.randint(8, 28)
            parts.append(self.sentence(actors, n))
            count += n
        return " ".join(parts)

    def docs(self, count: int) -> list[SearchDoc]:
        rng = self.rng
        actors = self.actors()
        out: list[SearchDoc] = []
        for i in range(count):
            chosen = rng.sample(actors, rng.randint(1, 5))
            names = [a[1] for a in chosen]
            year = 2015 + i * 10 // count
            month = rng.randint(1, 12)
            day = rng.randint(1, 28)
            title = self.sentence(names[:2], rng.randint(4, 9)).rstrip(".")
            out.append(
                SearchDoc(
                    kind="briefing",
                    title=title,
                    url=f"briefings/{year}/{i:05d}-briefing.html",
                    date=f"{year}-{month:02d}-{day:02d}",
                    date_label=f"{day} de {MONTHS[month - 1]} de {year}",
                    summary=self.text(names, rng.randint(25, 45)),
                    body=self.text(names, rng.randint(400, 900)),
                    names=tuple(n for a in chosen for n in (a[1], *a[2])),
                    tags=tuple(rng.sample(TAGS, rng.randint(1, 4))),
                )
            )
        for kind, name, aliases in actors:
            slug = "".join(c if c.isalnum() else "-" for c in name.lower())
            out.append(
                SearchDoc(
                    kind=kind,
                    title=name,
                    url=f"actors/{slug}.html",
                    date="",
                    date_label="",
                    summary=self.text([name], rng.randint(15, 30)),
                    body="",
                    names=(name, *aliases),
                    tags=(),
                )
            )
        return out


FORM = (
    '<form class="site-search" role="search" action="{root}search.html" data-no-results="Sin resultados">'
    '<label for="q" class="visually-hidden">Buscar</label><input id="q" type="search" name="q" '
    'autocomplete="off" placeholder="Buscar…"><button type="submit">Buscar</button></form>'
)


def page(title: str, root: str, main: str) -> str:
    return (
        f'<!doctype html><html lang="es"><head><meta charset="utf-8"><title>{title}</title>'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<script src="{root}assets/search.js" defer></script></head><body><header>'
        f'<a href="{root}index.html">Briefing</a>{FORM.format(root=root)}</header>'
        f"<main>{main}</main></body></html>"
    )


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6, mtime=0))


def build_site(directory: Path, docs: list[SearchDoc]) -> tuple[dict[str, bytes], float]:
    start = time.perf_counter()
    files = build_index(docs)
    elapsed = time.perf_counter() - start
    for path, data in files.items():
        target = directory / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    (directory / "assets").mkdir(exist_ok=True)
    shutil.copy(SEARCH_JS, directory / "assets" / "search.js")
    sample = docs[0]
    body = "".join(f"<p>{p}</p>" for p in sample.body.split(". "))
    (directory / "index.html").write_text(
        page(
            sample.title,
            "",
            f"<article><h1>{sample.title}</h1><p>{sample.summary}</p>{body}</article>",
        ),
        encoding="utf-8",
    )
    (directory / "search.html").write_text(
        page("Buscar", "", '<h1>Buscar</h1><div id="search-results" aria-live="polite"></div>'),
        encoding="utf-8",
    )
    return files, elapsed


COLD_QUERY = """async ([q, runs]) => {
    const t0 = performance.now();
    const r = await briefingSearch.query(q, {limit: 8});
    const cold = performance.now() - t0;
    const loaded = briefingSearch.loaded.slice();
    const warm = [];
    for (let i = 0; i < runs; i++) {
        const s = performance.now();
        await briefingSearch.query(q + (i % 2 ? ' ' : ''), {limit: 8});
        warm.push(performance.now() - s);
    }
    // As you type: each prefix of the query in turn (earlier shards cached).
    const typing = [];
    for (let i = 2; i <= q.length; i++) {
        const s = performance.now();
        await briefingSearch.query(q.slice(0, i), {limit: 8});
        typing.push(performance.now() - s);
    }
    return {cold, warm, typing, loaded, total: r.total, top: r.hits.map(h => h.title)};
}"""

SEARCH_PAGE_DONE = """() => {
    const box = document.querySelector('#search-results');
    if (!box.querySelector('.search-summary:not(.search-loading)')) return false;
    return [...box.querySelectorAll('.search-result-snippet')].every(p => p.innerHTML !== '');
}"""


def launch(p: Any) -> Any:
    return p.chromium.launch(
        executable_path=CHROMIUM,
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
        ],
    )


def measure(
    directory: Path, files: dict[str, bytes], queries: dict[str, str], runs: int, trials: int
) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    fixed = {
        "index.html": gz((directory / "index.html").read_bytes()),
        "search.html": gz((directory / "search.html").read_bytes()),
        "assets/search.js": gz(SEARCH_JS.read_bytes()),
    }
    results: dict[str, Any] = {}
    with sync_playwright() as p:
        browser = launch(p)
        for label, q in queries.items():
            row: dict[str, Any] = {"query": q}
            colds: list[float] = []
            warms: list[float] = []
            typing: list[float] = []
            timing: dict[str, Any] = {}
            for _ in range(trials):
                # Header suggestions on an ordinary page, in a fresh browser context:
                # nothing cached but the manifest, which the page preloads when idle.
                context = browser.new_context()
                pg = context.new_page()
                pg.goto((directory / "index.html").as_uri())
                pg.wait_for_function(
                    "() => window.briefingSearch && briefingSearch.loaded.includes('index.js')"
                )
                timing = pg.evaluate(COLD_QUERY, [q, runs])
                colds.append(timing["cold"])
                warms.extend(timing["warm"])
                typing.extend(timing["typing"])
                context.close()
            row.update(
                total_hits=timing["total"],
                top=timing["top"][:3],
                suggest_files=len(timing["loaded"]),
                suggest_gzip=fixed["index.html"]
                + fixed["assets/search.js"]
                + sum(gz(files["search/" + path]) for path in timing["loaded"]),
                cold_ms_median=round(statistics.median(colds), 1),
                cold_ms_min=round(min(colds), 1),
                cold_ms_max=round(max(colds), 1),
                warm_ms_median=round(statistics.median(warms), 2),
                warm_ms_max=round(max(warms), 2),
                typing_ms_median=round(statistics.median(typing or [0.0]), 2),
                typing_ms_max=round(max(typing or [0.0]), 2),
            )
            # The search page with ?q=: top 20 with snippets.
            context = browser.new_context()
            pg = context.new_page()
            start = time.perf_counter()
            pg.goto((directory / "search.html").as_uri() + "?q=" + q)
            pg.wait_for_function(SEARCH_PAGE_DONE)
            render_ms = (time.perf_counter() - start) * 1000
            loaded = pg.evaluate("() => briefingSearch.loaded.slice()")
            row.update(
                page_files=len(loaded),
                page_gzip=fixed["search.html"]
                + fixed["assets/search.js"]
                + sum(gz(files["search/" + path]) for path in loaded),
                page_load_render_ms=round(render_ms, 1),
                page_results=pg.locator("#search-results .search-result").count(),
                page_marks=pg.locator("#search-results mark").count(),
            )
            context.close()
            results[label] = row
        browser.close()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--docs", type=int, default=10_000, help="number of briefings (default 10000)"
    )
    parser.add_argument("--runs", type=int, default=20, help="warm query repetitions")
    parser.add_argument(
        "--trials", type=int, default=5, help="cold queries (fresh pages) per query"
    )
    parser.add_argument("--keep", type=Path, help="build the site in this directory and keep it")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)

    gen = Generator()
    start = time.perf_counter()
    docs = gen.docs(args.docs)
    words = [len(d.body.split()) for d in docs if d.kind == "briefing"]
    gen_s = time.perf_counter() - start

    tmp = None
    if args.keep:
        directory = args.keep
        if directory.exists():
            shutil.rmtree(directory)
        directory.mkdir(parents=True)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="search-budget-")
        directory = Path(tmp.name)
    try:
        files, build_s = build_site(directory, docs)
        shards = {p: gz(d) for p, d in files.items() if p.startswith("search/t/")}
        worst_shard = max(shards, key=lambda p: shards[p])
        worst_key = worst_shard[len("search/t/") : -len(".js")]
        queries = {
            "typical: japón": "japón",
            "typical: otan": "otan",
            "typical: elecciones presidente": "elecciones presidente",
            "typical: kishida": "kishida",
            "cjk: 岸田": "岸田",
            f"worst: {worst_key} (largest shard)": worst_key,
        }
        load_before = os.getloadavg()[0]
        figures = measure(directory, files, queries, args.runs, args.trials)
        load_after = os.getloadavg()[0]
        summary = {
            "docs": len(docs),
            "briefings": args.docs,
            "body_words": [min(words), round(statistics.mean(words)), max(words)] if words else [],
            "generate_s": round(gen_s, 1),
            "build_index_s": round(build_s, 1),
            "index_files": len(files),
            "index_raw_bytes": sum(len(d) for d in files.values()),
            "index_gzip_bytes": sum(gz(d) for d in files.values()),
            "manifest_gzip": gz(files["search/index.js"]),
            "search_js_gzip": gz(SEARCH_JS.read_bytes()),
            "shards": len(shards),
            "shard_gzip_median": int(statistics.median(shards.values())),
            "worst_shard": [worst_shard, shards[worst_shard], len(files[worst_shard])],
            "doc_chunk_gzip_max": max(gz(d) for p, d in files.items() if p.startswith("search/d/")),
            "text_gzip_median": int(
                statistics.median(gz(d) for p, d in files.items() if p.startswith("search/x/"))
            ),
            "load_average": [round(load_before, 1), round(load_after, 1), os.cpu_count()],
            "queries": figures,
        }
    finally:
        if tmp is not None:
            tmp.cleanup()

    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=2))
        return 0
    print(
        f"{summary['docs']} documents ({args.docs} briefings, body words min/mean/max {summary['body_words']})"
    )
    print(f"generate {summary['generate_s']} s, build_index {summary['build_index_s']} s")
    print(
        f"index: {summary['index_files']} files, {summary['index_raw_bytes'] / 1e6:.1f} MB raw, "
        f"{summary['index_gzip_bytes'] / 1e6:.1f} MB gzip; manifest {summary['manifest_gzip']} B gz, "
        f"search.js {summary['search_js_gzip']} B gz"
    )
    print(
        f"shards: {summary['shards']}, median {summary['shard_gzip_median']} B gz, "
        f"largest {summary['worst_shard'][0]} {summary['worst_shard'][1]} B gz ({summary['worst_shard'][2]} B raw); "
        f"doc chunk max {summary['doc_chunk_gzip_max']} B gz; doc text median {summary['text_gzip_median']} B gz"
    )
    print(
        f"load average during the browser runs: {summary['load_average'][0]} -> "
        f"{summary['load_average'][1]} on {summary['load_average'][2]} CPUs"
    )
    print()
    header = (
        f"{'query':34} {'hits':>5} {'suggest gz':>10} {'page gz':>8} "
        f"{'cold ms med/max':>16} {'warm ms med/max':>16} {'typing ms med/max':>18}"
    )
    print(header)
    for label, row in summary["queries"].items():
        print(
            f"{label:34} {row['total_hits']:>5} {row['suggest_gzip']:>10,} {row['page_gzip']:>8,} "
            f"{row['cold_ms_median']:>8}/{row['cold_ms_max']:<7} "
            f"{row['warm_ms_median']:>8}/{row['warm_ms_max']:<7} "
            f"{row['typing_ms_median']:>9}/{row['typing_ms_max']:<8}"
        )
    print()
    print("suggest gz: page + search.js + manifest + shards + document chunks of the top 8")
    print(
        "page gz: search page + search.js + manifest + shards + document chunks + texts of the top 20"
    )
    print("cold: first query of a fresh page (index files loaded over file://, manifest preloaded)")
    print(
        "warm: the same query again; typing: each prefix of the query in turn, after the cold query"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
