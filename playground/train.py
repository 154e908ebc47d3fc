"""`python -m playground.train CONFIG.json …`: the headless command (see `playground.core.cli`)."""

import sys

from playground.core.cli import EXIT_INTERRUPTED, main

if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # while loading or writing: training itself stops cleanly
        print("Stopped with Ctrl-C.", file=sys.stderr)
        sys.exit(EXIT_INTERRUPTED)
