"""briefing: a static site generator for curated briefings."""

__version__ = "0.1.0"
