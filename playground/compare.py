"""`python -m playground.compare PRESET | SETUP.json …`: a Compare-page seed sweep without a
browser (see `playground.core.compare_cli`)."""

import sys

from playground.core.compare_cli import EXIT_INTERRUPTED, main

if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # while loading: the sweep itself stops cleanly
        print("Stopped with Ctrl-C.", file=sys.stderr)
        sys.exit(EXIT_INTERRUPTED)
