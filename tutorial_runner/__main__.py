"""``python -m tutorial_runner``: the same as the ``tutorial-runner`` command."""

import sys

from tutorial_runner.cli import main

sys.exit(main())
