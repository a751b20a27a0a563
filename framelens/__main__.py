"""``python -m framelens``: the same command as ``framelens``."""

import sys

from framelens.cli import main

sys.exit(main())
