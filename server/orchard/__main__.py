"""Run the `orchard` command with `python -m orchard`."""

from orchard.cli import main

raise SystemExit(main())
