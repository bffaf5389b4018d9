"""``python -m oneview_simulator`` is the ``oneview-simulator`` command."""

import sys

from oneview_simulator.cli import main

sys.exit(main())
