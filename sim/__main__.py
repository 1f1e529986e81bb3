"""``python -m sim`` is the ``teamsim`` command."""

import sys

from sim.cli import main

sys.exit(main())
