"""Entry point for `python -m lookbook`."""

import sys

from lookbook.cli import main

if __name__ == "__main__":
    sys.exit(main())
