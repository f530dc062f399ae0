"""`python -m otel_agentcost.cli`: the same as the `otel-agentcost` command."""

import sys

from otel_agentcost.cli import main

sys.exit(main())
