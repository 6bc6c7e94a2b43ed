"""Entry point for ``python -m bot`` (same as the ``modbot`` console script)."""

import sys

from bot.cli import main

if __name__ == "__main__":
    sys.exit(main())
