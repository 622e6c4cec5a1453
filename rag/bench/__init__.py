"""`rag bench`: how cost grows with the corpus, for this project and the
Chatchat-style recipe, at 1e3 … 1e6 chunks.

- `corpus`: a report-like synthetic corpus of any size, and questions over it;
- `synth`: passage vectors, real for a sample and synthesised near real ones beyond;
- `measure`: the phases (ingest, serve, baseline), one process each;
- `runner`: sizes x phases under a memory cap and a time limit;
- `report`: the `--json` summary, report.md, latency.png.
"""

from .runner import SIZES, BenchConfig, run

__all__ = ["SIZES", "BenchConfig", "run"]
