"""Names in chips are recorded where a template prints them, and only there: a page whose
template does anything else with a name, or with text a name was printed into, is
rendered the usual way and never patched. A recorded page patched with other names is
byte for byte the page rendered with them."""

from __future__ import annotations

import copy
import pickle
from pathlib import Path

import pytest

from briefing import slots
from briefing.pages import Job, Shared
from briefing.render import Renderer, TemplateProblem
from briefing.slots import Name, escape_text


def _chip(text: str, ref: str) -> Shared:
    return Shared({"kind": "person", "name": Name(text, ref), "url": f"people/{ref}.html"})


def _job(names: dict[str, str]) -> Job:
    people = [_chip(text, ref) for ref, text in names.items()]
    context = {"path": "briefings/x.html", "people": people, "title": "T"}
    return Job("briefings/x.html", "html", "page.html", context, dict(names))


def _renderer(tmp_path: Path, template: str) -> Renderer:
    layouts = tmp_path / "layouts"
    layouts.mkdir(exist_ok=True)
    (layouts / "page.html").write_text(template, "utf-8")
    (layouts / "_chips.html").write_text(
        "{% macro chips(items) %}{% for a in items %}<b>{{ a.name }}</b>{% endfor %}{% endmacro %}",
        "utf-8",
    )
    return Renderer((layouts,), template)


def _plain(renderer: Renderer, job: Job) -> bytes:
    """The page rendered with the names as plain text: what a patched page must equal."""
    plain = Job(job.path, job.kind, job.template, slots.plain(job.context))
    return renderer.render_page(plain)[0]


NAMES = {"a": "Ana <García> & Co", "b": 'Bo "Lee"', "c": "Çelik Öz"}
OTHER = {"a": "Z", "b": "Ana María de la Torre Fernández-Villaverde", "c": "Ana"}

# Templates that only print names, directly, through a macro, a captured block, or
# joined to other text: the page is recorded.
PRINTING = [
    "{% for p in people %}<a title='{{ p.name }}'>{{ p.name }}</a>{% endfor %}",
    '{% from "_chips.html" import chips %}{{ chips(people) }}',
    '{% from "_chips.html" import chips with context %}<div>{{ chips(people) }}</div>',
    "{% set x %}{{ people[0].name }}{% endset %}{{ x }}{{ x }}",
    "{% for p in people %}{{ p.name }} · {% endfor %}{{ people | length }}",
    "{% set n = people[0].name %}{{ n }}{% if people %}!{% endif %}",
    "{{ people[1].url | default('x') }} {{ people[1].name }} {{ title | upper }}",
]

# Templates that read a name, or text one was printed into: never recorded.
READING = [
    "{{ people[0].name | upper }}",
    "{{ people[0].name | length }}",
    "{{ people[0].name | e }}",
    "{{ people[0].name[:3] }}",
    "{{ people[0].name.split()[0] }}",
    "{% if people[0].name == 'Z' %}z{% endif %}{{ people[0].name }}",
    "{% if 'A' in people[0].name %}a{% endif %}{{ people[0].name }}",
    "{% if people[0].name %}y{% endif %}",
    "{{ people | map(attribute='name') | join(', ') }}",
    "{{ people | sort(attribute='name') | map(attribute='url') | join(',') }}",
    "{{ '%-40s|' | format(people[0].name) }}",
    "{{ 'Hola {}'.format(people[0].name) }}",
    "{% set x %}{{ people[0].name }}{% endset %}{{ x | length }}",
    "{% set x %}{{ people[0].name }}{% endset %}{% if x | length > 3 %}long{% endif %}{{ x }}",
    "{% set x %}{{ people[0].name }}{% endset %}{% if x == 'Z' %}z{% endif %}{{ x }}",
    "{% set x %}{{ people[0].name }}{% endset %}{% if 'Ana' in x %}a{% endif %}{{ x }}",
    "{% set x %}{{ people[0].name }}{% endset %}{{ x[:4] }}",
    "{% set x %}{{ people[0].name }}{% endset %}{{ x.startswith('A') }}{{ x }}",
    "{% set x %}{{ people[0].name }}{% endset %}{% for ch in x %}.{% endfor %}{{ x }}",
    "{% set x %}{{ people[0].name }}{% endset %}{{ x * (x | wordcount) }}",
    "{% filter upper %}{{ people[0].name }}{% endfilter %}",
    '{% from "_chips.html" import chips %}{{ chips(people) | striptags }}',
    '{% from "_chips.html" import chips %}{{ chips(people) | truncate(12) }}',
    "{% for p in people %}{{ p.name ~ ' · ' }}{% endfor %}",
    # the name's own attributes, its repr, its type
    "{{ people[0].name.text }}",
    "{{ people[0].name | attr('text') }}",
    "{{ '{0.text}'.format(people[0].name) }}",
    "{{ '{0[name].text}'.format(people[0]) }}",
    "{% if people[0].name.text == 'Bob' %}b{% endif %}{{ people[0].name }}",
    "{{ people[0].name | pprint }}",
    "{{ [people[0].name] }}",
    "{{ '%r' | format(people[0].name) }}",
    "{{ '{!r}'.format(people[0].name) }}",
    "{{ people[0] }}",
    "{{ people[0].name is string }}",
    "{{ people | map(attribute='name') | select('string') | list | length }}",
    "{{ people[0].name.__class__.__name__ }}",
    "{{ people[1].name | default('x') }}",
    # text a name was printed into, inside a list or a mapping
    "{% set x %}{{ people[0].name }}{% endset %}{% set y %}{{ people[1].name }}{% endset %}{{ [x, y] | sort | join(',') }}",
    "{% set x %}{{ people[0].name }}{% endset %}{% set y %}{{ people[1].name }}{% endset %}{{ [x, y] | unique | list | length }}{{ x }}",
    "{% set x %}{{ people[0].name }}{% endset %}{% set y %}{{ people[1].name }}{% endset %}{% if 'Ann' in [x] %}yes{% endif %}{{ x }}",
    "{% set x %}{{ people[0].name }}{% endset %}{% set y %}{{ people[1].name }}{% endset %}{{ ''.join([x]) }}",
    "{% set x %}{{ people[0].name }}{% endset %}{% set y %}{{ people[1].name }}{% endset %}{{ [x] }}",
    "{% set x %}{{ people[0].name }}{% endset %}{% set y %}{{ people[1].name }}{% endset %}{{ {x: 1} | dictsort }}",
    "{% set x %}{{ people[0].name }}{% endset %}{% set y %}{{ people[1].name }}{% endset %}{{ ('%s' % [x]) }}",
    "{% set x %}{{ people[0].name }}{% endset %}{% set y %}{{ people[1].name }}{% endset %}{% for a, b in [x] %}{{ a }}{% endfor %}",
    "{% set x %}{{ people[2].name }}{% endset %}{% set p, q = (x ~ 'xy')[:2] %}{{ q }}{{ p }}",
]


@pytest.mark.parametrize("template", PRINTING)
def test_a_template_that_only_prints_names_is_recorded_and_patched_exactly(
    tmp_path: Path, template: str
) -> None:
    renderer = _renderer(tmp_path, template)
    job = _job(NAMES)
    data, where = renderer.render_page(job)
    assert where is not None
    assert data == _plain(renderer, job)
    assert where, "every template here prints a name"
    for start, length, ref in where:
        assert data[start : start + length] == escape_text(NAMES[ref]).encode()
    other = _job(OTHER)
    patched = slots.patch(data, where, OTHER, escape_text)
    assert patched is not None
    assert patched[0] == _plain(renderer, other)
    assert renderer.render_page(other) == patched  # the same bytes and the same places


@pytest.mark.parametrize("template", READING)
def test_a_template_that_reads_a_name_renders_as_usual_and_is_not_recorded(
    tmp_path: Path, template: str
) -> None:
    """The same page as with the names as plain strings, or the same mistake."""
    renderer = _renderer(tmp_path, template)
    for names in (NAMES, OTHER, {"a": "Ann", "b": "Ann", "c": "Ann"}):
        job = _job(names)
        try:
            expected = _plain(renderer, job)
        except TemplateProblem as exc:
            with pytest.raises(TemplateProblem) as raised:
                renderer.render_page(job)
            assert raised.value.message == exc.message
            continue
        data, where = renderer.render_page(job)
        assert where is None, template
        assert data == expected


@pytest.mark.parametrize(
    "title",
    [f"x{slots.MARK}a{slots.END}", slots.MARK, slots.END, slots.printed(Name("?", "a"))[:-1]],
)
def test_content_holding_the_marks_is_not_recorded(tmp_path: Path, title: str) -> None:
    """A noncharacter in the text of a page is not taken for a placeholder."""
    renderer = _renderer(tmp_path, "{{ title }}{{ people[0].name }}")
    job = _job(NAMES)
    job.context["title"] = title
    data, where = renderer.render_page(job)
    assert where is None
    assert data == _plain(renderer, job)


def test_unpacking_text_a_name_was_printed_into_reads_it(tmp_path: Path) -> None:
    template = (
        "{% set x %}{{ people[0].name }}{% endset %}{% set p, q, r = x %}{{ r }}{{ q }}{{ p }}"
    )
    renderer = _renderer(tmp_path, template)
    job = _job({"a": "Abc"})
    assert renderer.render_page(job) == (b"cbA", None)


def test_a_name_outside_a_recording_is_its_text() -> None:
    name = Name("Ana García", "person:ana")
    assert str(name) == "Ana García" and name == "Ana García" and name != "Ana"
    assert name.upper() == "ANA GARCÍA" and len(name) == 10 and "Ana" in name
    assert sorted([Name("b", "1"), Name("a", "2")]) == ["a", "b"]
    assert f"{name:>12}" == "  Ana García" and name + "!" == "Ana García!"
    assert repr(name) == "Name(person:ana)"  # where it is, not what it says
    again = pickle.loads(pickle.dumps(name))
    assert (again.text, again.ref) == (name.text, name.ref)
    assert copy.deepcopy([name])[0].text == "Ana García"
    with slots.recording() as session, pytest.raises(slots.Touched):
        name.upper()
    assert session.touched


@pytest.mark.parametrize(
    "where",
    [
        "not a list",
        [[0, 3]],
        [[0, 3, "nobody"]],
        [[5, 3, "a"], [0, 1, "a"]],  # out of order
        [[0, 99, "a"]],  # past the end
        [[-1, 2, "a"]],
        [[True, 2, "a"]],
    ],
)
def test_patch_refuses_places_that_do_not_fit_the_page(where: object) -> None:
    assert slots.patch(b"Ana and more", where, {"a": "Bo"}, escape_text) is None
    # as much when the name is already there, and nothing would be spliced
    assert slots.patch(b"Ana and more", where, {"a": "Ana"}, escape_text) is None


def test_patch_splices_only_the_names_that_changed() -> None:
    data = b"<b>Ana</b> and <i>Bo</i>, <b>Ana</b>."
    where = [[3, 3, "a"], [18, 2, "b"], [29, 3, "a"]]
    assert slots.patch(data, where, {"a": "Ana", "b": "Bo"}, escape_text) == (data, where)
    patched = slots.patch(data, where, {"a": "Ana", "b": "<Bea>"}, escape_text)
    assert patched == (
        b"<b>Ana</b> and <i>&lt;Bea&gt;</i>, <b>Ana</b>.",
        [[3, 3, "a"], [18, 11, "b"], [38, 3, "a"]],
    )


def test_patches_sharing_a_memo_write_each_page_its_own_names() -> None:
    """The memo keeps what a ref holds with a name: pages with other names for the same
    ref, and refs of an unknown form, come out as without it."""
    data = b"<b>Ana</b> and <i>Bo</i>."
    where = [[3, 3, "a"], [18, 2, "b~nope:1"]]
    memo: dict[tuple[str, str], bytes | None] = {}
    for names in ({"a": "Eva & Co", "b": "Bo"}, {"a": "Ana", "b": "Bo"}, {"a": "Eva & Co"}):
        alone = slots.patch(data, where[:1], names, escape_text)
        assert slots.patch(data, where[:1], names, escape_text, memo) == alone
        assert slots.patch(data, where, names, escape_text, memo) is None  # unknown form
    assert memo[("a", "Eva & Co")] == b"Eva &amp; Co" and memo[("b~nope:1", "Bo")] is None


def test_resolve_refuses_a_placeholder_of_no_name_of_the_page() -> None:
    text = f"<b>{slots.printed(Name('?', 'x'))}</b>"
    assert slots.resolve(text, {"y": "Y"}, escape_text) is None
    assert slots.resolve(text, {"x": "<X>"}, escape_text) == (b"<b>&lt;X&gt;</b>", [[3, 9, "x"]])


def test_a_patch_may_keep_the_names_it_is_not_given() -> None:
    """Patching ahead knows only the renamed names: the others stay as the page holds
    them, and a slot out of place is refused all the same."""
    data = b"<b>Ana</b> and <i>Bo</i>, <b>Ana</b>."
    where = [[3, 3, "a"], [18, 2, "b@fr"], [29, 3, "a"]]
    assert slots.patch(data, where, {"b@fr": "Eva"}, escape_text) is None
    assert slots.patch(data, where, {"b@fr": "Eva"}, escape_text, others_kept=True) == (
        b"<b>Ana</b> and <i>Eva</i>, <b>Ana</b>.",
        [[3, 3, "a"], [18, 3, "b@fr"], [30, 3, "a"]],
    )
    assert slots.patch(data, [[29, 3, "a"], [3, 3, "a"]], {}, escape_text, others_kept=True) is None
