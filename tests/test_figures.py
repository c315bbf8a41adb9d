"""briefing.figures: figure specs drawn when a page is rendered, once for pages sharing one."""

from __future__ import annotations

from typing import Any

import pytest

from briefing import figures
from briefing.pages import Figure, _figure


def test_pages_sharing_a_figure_draw_it_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """An actor's paginated pages hold the same spec: the second page takes the SVG the
    first one drew, and a page with an equal spec of its own draws it again."""
    spec = _figure(
        "activity", "es", months=[("2024-01", 3), ("2024-02", 1)], title="t", desc="d", id="a"
    )
    assert isinstance(spec, Figure)
    calls: list[str] = []
    draw = figures.draw

    def counting(value: dict[str, Any]) -> str:
        calls.append(value["figure"])
        return draw(value)

    monkeypatch.setattr(figures, "draw", counting)
    first = figures.materialize({"entity": {"activity_svg": spec, "n": 1}})
    second = figures.materialize({"entity": {"activity_svg": spec, "n": 2}})
    assert first["entity"]["activity_svg"] == second["entity"]["activity_svg"]
    assert first["entity"]["activity_svg"].startswith("<svg")
    assert calls == ["activity"]
    again = figures.materialize(
        {
            "x": _figure(
                "activity", "es", **{k: v for k, v in spec.items() if k not in ("figure", "lang")}
            )
        }
    )
    assert again["x"] == first["entity"]["activity_svg"] and calls == ["activity", "activity"]


def test_a_figure_spec_fingerprints_as_plain_data() -> None:
    """The SVG kept with a spec is not part of what the page's fingerprint reads."""
    spec = _figure("locator", "en", code="FR", title="France")
    before = repr(spec)
    figures.materialize({"map": spec})
    assert repr(spec) == before == repr(dict(spec))
