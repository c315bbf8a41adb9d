"""`python -m briefing` runs the same command line as `briefing`."""

from briefing.cli import run

run()
