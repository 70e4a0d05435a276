"""`python -m dashboard` is the same as the `sla-dashboard` command."""

import sys

from dashboard.cli import main

sys.exit(main())
