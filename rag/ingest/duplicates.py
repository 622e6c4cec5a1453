"""Documents whose text another document already holds: the same report under two names.

An archive collects the same report twice (a colleague's copy under a short name, the national report saved
as a city's file). Each document's text is reduced to its characters without spaces and punctuation, cut
into 8-character shingles and summarised by a MinHash signature (`datasketch`, 128 permutations); an LSH
index over the signatures (`MinHashLSH`) finds, among thousands of documents, those whose shingle sets overlap by
THRESHOLD (Jaccard) or more. A news article quoting a report, or two years of one province's reports,
overlap far less (0.25 and under on the shared corpora; the copies found there overlap at 1.00).

The signature is kept in the manifest entry of each document (`minhash`, base64), so later ingests compare
new files with everything indexed without reading those files again.
"""

from __future__ import annotations

import base64
import re

import numpy as np
from datasketch import MinHash, MinHashLSH

NUM_PERM = 128
SCHEME = "affine32"  # datasketch 2's permutation scheme: 32-bit hash values (kept in the manifest)
THRESHOLD = 0.9
SHINGLE = 8
_NOISE = re.compile(r"[\s\W_]+")


def signature(text: str) -> MinHash:
    letters = _NOISE.sub("", text)
    shingles = {letters[i : i + SHINGLE] for i in range(max(1, len(letters) - SHINGLE + 1))}
    m = MinHash(num_perm=NUM_PERM, scheme=SCHEME)
    m.update_batch([s.encode("utf-8") for s in shingles])
    return m


def encode(m: MinHash) -> str:
    return base64.b64encode(m.hashvalues.astype(np.uint32).tobytes()).decode("ascii")


def decode(text: str) -> MinHash:
    values = np.frombuffer(base64.b64decode(text), dtype=np.uint32)
    return MinHash(num_perm=NUM_PERM, scheme=SCHEME, hashvalues=values)


class DuplicateFinder:
    """The documents of one index by signature; `match` names the one a new text repeats, if any."""

    def __init__(self, known: dict[str, str] | None = None):
        self._lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
        self._sigs: dict[str, MinHash] = {}
        for doc_id, encoded in (known or {}).items():
            self.add(doc_id, decode(encoded))

    def add(self, doc_id: str, m: MinHash) -> None:
        if doc_id in self._sigs:
            self.remove(doc_id)
        self._lsh.insert(doc_id, m)
        self._sigs[doc_id] = m

    def remove(self, doc_id: str) -> None:
        if self._sigs.pop(doc_id, None) is not None:
            self._lsh.remove(doc_id)

    def match(self, m: MinHash, exclude: str = "") -> str | None:
        """The indexed document whose text `m` repeats (the closest one), None if none does."""
        scored = [(self._sigs[d].jaccard(m), d) for d in self._lsh.query(m) if d != exclude]
        scored = [(j, d) for j, d in scored if j >= THRESHOLD]
        return max(scored)[1] if scored else None


def known_signatures(documents: dict[str, dict], dropped: set[str]) -> dict[str, str]:
    """The signatures of a manifest's indexed documents (not its duplicates, not those being dropped)."""
    return {d: e["minhash"] for d, e in documents.items() if e.get("minhash") and not e.get("duplicate_of") and d not in dropped}
