"""Countries from CLDR (through Babel): codes, names in every language, nothing hand-typed."""

from __future__ import annotations

from functools import cache

from babel import Locale, UnknownLocaleError
from babel.core import get_global


@cache
def alpha3_to_alpha2() -> dict[str, str]:
    aliases = get_global("territory_aliases")
    return {
        code: targets[0]
        for code, targets in aliases.items()
        if len(code) == 3 and code.isalpha() and code.isupper() and len(targets) == 1
    }


# CLDR names some codes ISO 3166-1 keeps for other uses: exceptionally reserved
# ones (the European Union, Ascension Island, Tristan da Cunha...) and
# user-assigned ones (XA/XB pseudo-locales, ZZ "Unknown Region").
_NOT_COUNTRIES = frozenset({"AC", "CP", "DG", "EA", "EU", "EZ", "FX", "IC", "SU", "TA", "UK", "UN"})


def _user_assigned(a2: str) -> bool:
    return a2 in ("AA", "ZZ") or a2[0] == "X" or (a2[0] == "Q" and a2[1] >= "M")


@cache
def codes() -> frozenset[str]:
    """ISO 3166 alpha-2 codes of real countries and territories (no EU, UN, ZZ...)."""
    english = Locale("en").territories
    found = {
        a2
        for a2 in alpha3_to_alpha2().values()
        if a2 in english and a2 not in _NOT_COUNTRIES and not _user_assigned(a2)
    }
    found.add("XK")  # Kosovo: user-assigned code in common use, named by CLDR
    return frozenset(found)


@cache
def locale(language: str) -> Locale:
    """The CLDR locale for a BCP 47 code; its primary language, or English, when CLDR has
    no such locale (a briefing's `lang` is only warned about when unknown)."""
    for candidate in (language.replace("-", "_"), language.replace("_", "-").split("-")[0]):
        try:
            return Locale.parse(candidate)
        except (UnknownLocaleError, ValueError):
            continue
    return Locale("en")


def name(code: str, language: str) -> str:
    """The country's name in ``language`` ("JP", "es" -> "Japón"); English as fallback."""
    names = locale(language).territories
    return str(names.get(code) or Locale("en").territories.get(code) or code)


@cache
def names(language: str) -> dict[str, str]:
    return {code: name(code, language) for code in sorted(codes())}


def normalize_code(text: str) -> str | None:
    """An alpha-2 code from an alpha-2 or alpha-3 code in any case, else None."""
    upper = text.strip().upper()
    if len(upper) == 2 and upper in codes():
        return upper
    if len(upper) == 3:
        a2 = alpha3_to_alpha2().get(upper)
        if a2 in codes():
            return a2
    return None
