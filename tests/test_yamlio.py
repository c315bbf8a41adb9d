"""briefing.yamlio: YAML 1.2 scalars, line numbers, and errors that point at the right place."""

from __future__ import annotations

import pytest

from briefing import yamlio
from briefing.yamlio import YamlError, load


def error_of(text: str, first_line: int = 1) -> YamlError:
    with pytest.raises(YamlError) as info:
        load(text, first_line)
    return info.value


# ------------------------------------------------------------------ scalars


@pytest.mark.parametrize(
    "written", ["NO", "no", "No", "yes", "Yes", "YES", "on", "ON", "off", "Off", "y", "n"]
)
def test_yaml_1_1_booleans_stay_strings(written: str) -> None:
    assert load(f"country: {written}").data == {"country": written}


@pytest.mark.parametrize(
    ("written", "value"),
    [("true", True), ("false", False), ("True", True), ("FALSE", False)],
)
def test_only_true_and_false_are_booleans(written: str, value: bool) -> None:
    data = load(f"draft: {written}").data
    assert data["draft"] is value


@pytest.mark.parametrize(
    "written",
    ["2023-01-31", "2023-01-31T18:30:00+01:00", "2023-01-31 18:30", "2023-02-30"],
)
def test_dates_stay_strings(written: str) -> None:
    assert load(f"date: {written}").data == {"date": written}


def test_explicit_timestamp_tag_stays_a_string_too() -> None:
    assert load("date: !!timestamp 2023-01-31").data == {"date": "2023-01-31"}


def test_numbers_are_base_ten_and_sexagesimal_is_not_a_number() -> None:
    data = load("a: 010\nb: -7\nc: 1.5\nd: 1e3\ne: 12:30\nf: 0x10\ng: 0o7\nh: 1_000").data
    assert data == {
        "a": 10,
        "b": -7,
        "c": 1.5,
        "d": 1000.0,
        "e": "12:30",
        "f": "0x10",
        "g": "0o7",
        "h": "1_000",
    }
    assert type(data["a"]) is int


def test_null_and_equals_sign() -> None:
    assert load("a: ~\nb: null\nc:\nd: =").data == {"a": None, "b": None, "c": None, "d": "="}


def test_empty_document_is_none() -> None:
    doc = load("# only a comment\n")
    assert doc.data is None
    assert doc.key_lines == {}


# ------------------------------------------------------------ line numbers


def test_key_lines_count_from_first_line() -> None:
    text = "title: T\n\n# comment\ndate: 2023-01-31\ntags:\n  - a\n  - b\n"
    assert load(text).key_lines == {"title": 1, "date": 4, "tags": 5}
    assert load(text, first_line=2).key_lines == {"title": 2, "date": 5, "tags": 6}


def test_list_item_lines_block_and_flow() -> None:
    text = "people:\n  - Ana\n\n  - Luis\ntags: [x, y]\n"
    doc = load(text, first_line=10)
    assert doc.item_lines == {"people": [11, 13], "tags": [14, 14]}


def test_flow_list_spread_over_lines() -> None:
    doc = load("tags: [\n  a,\n  b,\n]\n", first_line=2)
    assert doc.item_lines["tags"] == [3, 4]


def test_merge_key_lines_point_at_the_winning_key() -> None:
    doc = load("base: &b {x: 1, y: 2}\nitem:\n  <<: *b\n  y: 3\n")
    assert doc.data["item"] == {"x": 1, "y": 3}
    assert doc.key_lines == {"base": 1, "item": 2}


# ------------------------------------------------------------------ errors


def test_unclosed_flow_sequence_reports_where_it_starts() -> None:
    exc = error_of("title: T\ntags: [a, b\ndate: 2023-01-31\n", first_line=2)
    assert exc.line == 3  # the `[`, not the line where the parser gave up
    assert exc.col == 7
    assert exc.message.startswith("invalid YAML:")
    assert "flow sequence" in exc.message
    assert "(line 4)" in exc.message  # where it noticed


def test_unclosed_quote_reports_where_it_starts() -> None:
    exc = error_of('a: 1\nb: "open\nc: 2\n')
    assert (exc.line, exc.col) == (2, 4)
    assert "quoted scalar" in exc.message


def test_error_without_context_uses_the_problem_mark() -> None:
    exc = error_of("a: 1\nb: c: d\n", first_line=5)
    assert (exc.line, exc.col) == (6, 5)
    assert "mapping values are not allowed" in exc.message


def test_tab_indentation_is_an_error_on_its_line() -> None:
    exc = error_of("a:\n\t- b\n")
    assert exc.line == 2


def test_two_documents_are_an_error() -> None:
    exc = error_of("a: 1\n---\nb: 2\n")
    assert "single document" in exc.message


def test_undefined_alias() -> None:
    exc = error_of("a: 1\nb: *nowhere\n")
    assert exc.line == 2
    assert "undefined alias" in exc.message


def test_duplicate_key_is_an_error_at_the_second_one() -> None:
    exc = error_of("title: A\ndate: 2023-01-31\ntitle: B\n", first_line=2)
    assert (exc.line, exc.col) == (4, 1)
    assert "duplicate key `title` (first on line 2)" in exc.message


def test_duplicate_key_in_a_nested_mapping() -> None:
    exc = error_of("labels:\n  es: OTAN\n  es: NATO\n")
    assert exc.line == 3
    assert "duplicate key `es`" in exc.message


def test_recursive_alias_is_an_error() -> None:
    exc = error_of("a: 1\nextra: &e {self: *e}\n")
    assert exc.line == 2
    assert "contains it" in exc.message


def test_alias_bomb_is_refused_quickly() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        prev, name = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
    exc = error_of("\n".join(lines))
    assert f"more than {yamlio.MAX_NODES} values" in exc.message


def test_shared_alias_within_budget_is_fine() -> None:
    doc = load("a: &a [x, y]\nb: [*a, *a]\n")
    assert doc.data == {"a": ["x", "y"], "b": [["x", "y"], ["x", "y"]]}


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("a: 1\nb: !!binary aGk=\n", "`!!binary` is not supported"),
        ("a: 1\nb: !!set {x}\n", "`!!set` is not supported"),
        ("a: 1\nb: !!python/object:os.system x\n", "could not determine a constructor"),
        ("a: 1\nb: !!int 0x1f\n", "`0x1f` is not a whole number"),
        ("a: 1\nb: " + "9" * 5000 + "\n", "is not a whole number"),
        ("a: 1\nb: !!bool 1\n", "`1` is not a boolean"),
        ("a: 1\nb: !!map x\n", "expected a mapping node"),
        ("a: 1\nb: !!seq x\n", "expected a sequence node"),
    ],
)
def test_values_that_are_not_json_data_are_errors_on_their_line(text: str, fragment: str) -> None:
    exc = error_of(text, first_line=3)
    assert exc.line == 4
    assert exc.col == 4
    assert fragment in exc.message


@pytest.mark.parametrize(
    ("text", "line", "col", "code"),
    [
        ('a: "x\\x01y"\n', 1, 4, "U+0001"),
        ('a: [ok, "b\\ec"]\n', 1, 9, "U+001B"),
        ('a: 1\nb:\n  c: "\\N"\n', 3, 6, "U+0085"),
        ('"k\\x7f": 1\n', 1, 1, "U+007F"),
        ('a: &x "\\x9f"\nb: *x\n', 1, 4, "U+009F"),
    ],
)
def test_control_characters_are_errors_where_they_are_written(
    text: str, line: int, col: int, code: str
) -> None:
    exc = error_of(text)
    assert (exc.line, exc.col) == (line, col)
    assert exc.message == f"a control character ({code}) that no page can show"


def test_tab_line_feed_form_feed_and_other_escapes_are_kept() -> None:
    doc = load('a: "t\\tn\\nf\\fé\\u00e9 \\L"\nb: c:\\d\n')
    assert doc.data == {"a": "t\tn\nf\x0cé\u00e9 \u2028", "b": "c:\\d"}


def test_deep_flow_nesting_is_an_error_not_a_crash() -> None:
    exc = error_of("a: " + "[" * 5000 + "]" * 5000)
    assert exc.line == 1
    assert exc.message.startswith("invalid YAML")


def test_yaml_error_is_an_exception_with_message() -> None:
    exc = YamlError("invalid YAML: x", 3, 4)
    assert str(exc) == "invalid YAML: x"
    assert (exc.line, exc.col) == (3, 4)


# ------------------------------------------------------------------ construction


def _outcome(text: str) -> tuple[str, object]:
    """What loading gives, comparable: the data (as repr: 1 and True differ there) and
    where its lines are, or the error with its place."""
    try:
        doc = load(text, 5)
    except YamlError as exc:
        return ("error", (exc.message, exc.line, exc.col))
    return ("data", (repr(doc.data), doc.key_lines, doc.item_lines))


def test_plain_documents_are_built_as_pyyaml_builds_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """Documents without aliases are built from their nodes by ``_plain``: on random
    documents (numbers, booleans, nulls, explicit tags, flow and block collections, merge
    keys, keys that are lists, values that are refused) the same data, or the same error
    at the same place, as PyYAML's own construction, which every document took before."""
    import random

    scalars = ["x", "12", "-3", "1.5", ".inf", ".NaN", "1e3", "true", "No", "null", "~", "",
               "2024-01-02", "'7'", '"a: b"', "0x1f", "!!int 0x1f", "!!int 12", "!!str 3",
               "!!float 2", "!!float 1:30", "!!binary aGk=", "!!timestamp 2024-01-02",
               "!!null ''", "!!bool true", "!unknown x", "[a, 1]", "{a: 1, b: [2]}", "[]", "{}",
               "? [a]\n  : b", "!!set {a, b}", "!!omap [a: 1]", "!!seq x", "!!map x", "!!map",
               "!!seq ''", "!!bool yes", "!!bool 1"]  # fmt: skip
    keys = ["a", "b", "1", "true", "null", "<<", "'c'", "[k]"]
    rnd = random.Random(1130)

    def block(depth: int) -> str:
        lines = []
        for key in rnd.sample(keys, rnd.randint(1, 4)):
            if depth < 2 and rnd.random() < 0.3:
                nested = block(depth + 1).replace("\n", "\n  ")
                lines.append(f"{key}:\n  {nested}")
            elif rnd.random() < 0.3:
                items = "".join(f"\n- {rnd.choice(scalars)}" for _ in range(rnd.randint(0, 3)))
                lines.append(f"{key}:{items}")
            else:
                lines.append(f"{key}: {rnd.choice(scalars)}")
        return "\n".join(lines)

    texts = [block(0) for _ in range(3000)]
    texts += ["a: 1\nb: [x, {c: 2}]", "<<: {a: 1}\nb: 2", "- 1\n- [2]", "plain", "7", ""]
    ours = [_outcome(t) for t in texts]
    monkeypatch.setattr(yamlio, "_plain", _never_plain)
    theirs = [_outcome(t) for t in texts]
    assert ours == theirs
    assert sum(kind == "data" for kind, _ in ours) > 500  # not only errors
    assert sum(kind == "error" for kind, _ in ours) > 500


def _never_plain(loader: object, node: object) -> object:
    raise yamlio._Unusual("every document through PyYAML")
