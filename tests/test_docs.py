"""The README keeps up with the code: every command, option, front matter key and setting."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from briefing.cli import parser
from briefing.config import KNOWN_KEYS
from briefing.parse import BRIEFING_KEYS, ENTRY_KEYS

README = (Path(__file__).resolve().parent.parent / "README.md").read_text("utf-8")


def _subparsers() -> dict[str, argparse.ArgumentParser]:
    main = parser()
    action = next(a for a in main._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_readme_starts_with_the_two_commands() -> None:
    first_block = re.search(r"```sh\n(.*?)```", README, re.S)
    assert first_block is not None
    assert [line.split("#")[0].strip() for line in first_block.group(1).strip().splitlines()] == [
        "make site",
        "make test",
    ]


def test_every_command_and_option_is_documented() -> None:
    missing = []
    for name, sub in _subparsers().items():
        if f"`briefing {name}" not in README:
            missing.append(name)
        for action in sub._actions:
            for flag in action.option_strings:
                if (
                    flag.startswith("--")
                    and flag not in ("--help", "--site")
                    and f"`{flag}" not in README
                ):
                    missing.append(f"{name} {flag}")
    assert missing == []


def test_every_front_matter_key_and_setting_is_documented() -> None:
    assert [k for k in sorted(BRIEFING_KEYS) if f"| `{k}`" not in README] == []
    assert [
        k for k in sorted(ENTRY_KEYS - {"description", "slug", "redirect_from"}) if k not in README
    ] == []
    assert [k for k in sorted(KNOWN_KEYS) if f"`{k}`" not in README] == []


def test_help_describes_every_option() -> None:
    for name, sub in _subparsers().items():
        text = sub.format_help()
        assert sub.description, name
        for action in sub._actions:
            if action.option_strings and action.dest != "help":
                assert action.help, f"{name} {action.option_strings}"
        assert "usage: " in text
