"""``python -m hbr_emulator serve ...`` runs the ``hbr-emulator`` command."""

import sys

from hbr_emulator.cli import main

sys.exit(main())
