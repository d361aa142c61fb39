"""``python -m neuralab`` runs the ``neuralab`` command."""

import sys

from neuralab.cli import main

sys.exit(main())
