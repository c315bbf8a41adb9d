"""`python -m briefing` runs the same command line as `briefing`."""

import sys

from briefing.cli import main

sys.exit(main())
