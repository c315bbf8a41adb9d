"""A small site that exercises every kind of page; built by the golden-site tests."""

SITE = """
-- briefing.yaml --
title: Fixture Briefings
language: es
base_url: https://example.org/fixture/
timezone: Europe/Madrid
menu:
  - {title: Acerca, url: /acerca.html}
-- content/people/ana-garcia.yaml --
name: Ana García
aliases: [García, "Ana Garcia Lopez"]
role: Ministra de Exteriores
country: ES
links: {wikipedia: "https://es.wikipedia.org/wiki/Ana"}
-- content/people/kenji-sato.md --
---
name: Kenji Sato
aliases: ["佐藤健二"]
labels: {en: Kenji Satō}
country: Japón
---
Diplomático japonés; trabajó con Ana García en Madrid.
-- content/organizations/nato.yaml --
name: NATO
labels: {es: OTAN}
aliases: [OTAN, North Atlantic Treaty Organization]
members: [ES, NO, "Estados Unidos"]
-- content/countries/jp.md --
Notas sobre Japón.
-- content/pages/acerca.md --
---
title: Acerca de
---
Una página con una imagen ![logo](/img/logo.svg) y un enlace a [la primera](../briefings/a/uno.md).
-- content/static/img/logo.svg --
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>
-- content/static/CNAME --
fixture.example.org
-- content/briefings/a/uno.md --
---
title: Uno — García viaja a Tokio
date: 2023-01-10
people: [Ana García]
countries: [JP, España]
organizations: [OTAN]
tags: [Diplomacia, Asia]
story: gira
sources:
  - {title: Informe, url: "https://example.com/informe", publisher: Agencia}
---
Ana García llegó a Japón. Después, García habló con Kenji Sato.

![mapa](mapa.svg)

`Japón` en código no enlaza.
-- content/briefings/a/mapa.svg --
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle cx="5" cy="5" r="4"/></svg>
-- content/briefings/a/dos.md --
---
title: Dos — la OTAN y Noruega
date: 2023-02-20T10:30:00
countries: [NO]
organizations: [NATO]
tags: [diplomacia, " Seguridad "]
story: gira
redirect_from: [dos-viejo]
---
La OTAN se reunió. Véase [el primero](uno.md) y la ficha de [[OTAN]].
-- content/briefings/b/tres.md --
---
title: Three — Sato in Oslo
date: 2023-03-05
lang: en
actors: [Kenji Sato, Noruega, OTAN]
tags: [seguridad]
summary: Sato visits Oslo.
---
Kenji Sato met officials. Japan and Norway agreed on little.
-- content/briefings/b/cuatro.md --
---
title: Cuatro — sin actores registrados
date: 2024-05-01
people: [Persona Desconocida]
tags: [Asia]
---
Texto sin menciones registradas, salvo Japón. Sigue a [[uno]].
-- content/briefings/b/borrador.md --
---
title: Borrador
date: 2024-06-01
draft: true
people: [Ana García]
---
Un borrador.
"""

# What each entity page must list: names in front matter, and mentions only in text.
NAMED = {
    "people/ana-garcia.html": {"uno"},
    "people/kenji-sato.html": {"tres"},
    "people/persona-desconocida.html": {"cuatro"},
    "countries/jp.html": {"uno"},
    "countries/es.html": {"uno"},
    "countries/no.html": {"dos", "tres"},
    "organizations/nato.html": {"uno", "dos", "tres"},
    "tags/diplomacia.html": {"uno", "dos"},
    "tags/asia.html": {"uno", "cuatro"},
    "tags/seguridad.html": {"dos", "tres"},
}
MENTIONED_ONLY = {
    "people/kenji-sato.html": {"uno"},
    "countries/jp.html": {"tres", "cuatro"},
}
