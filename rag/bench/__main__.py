"""`python -m rag.bench SPEC.json`: one benchmark phase in this process (see `rag.bench.worker`)."""

import sys

from .worker import main

sys.exit(main())
