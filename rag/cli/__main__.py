"""`python -m rag.cli …` runs the `rag` command."""

import sys

from .main import main

sys.exit(main())
