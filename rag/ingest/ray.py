"""Ingest on Ray (`rag ingest --ray auto|ray://HOST:10001`, optional extra `scale`): documents are loaded, read
for metadata and chunked in Ray tasks, and embedded by embedder actors — one per worker CPU set, each with as many
engine threads as CPUs it holds, fed batches in turn — then written to the store by the driver, exactly as a
plain ingest writes them (same chunks, same vectors, the machine's vector cache consulted first).

`auto` joins the Ray cluster running on this machine, or starts a local one when there is none (tests);
`ray://HOST:10001` connects through Ray Client to a remote cluster, whose workers need this package installed
(docs/deploy.md).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ..embedding.cache import BATCH
from ..errors import LoadError, RagError
from ..progress import OnStep, Stage
from ..types import Chunk, Document


def connect(address: str, cpus: int | None = None) -> dict:
    """Join (or start) the cluster; returns its resources. A clear error when it cannot be reached."""
    try:
        import ray
    except ImportError as e:
        raise RagError("--ray 需要安装 Ray：pip install 'report-qa[scale]'（或 pip install ray）。") from e
    if address != "auto" and not address.startswith("ray://"):
        raise RagError(f"--ray 只能是 auto 或 ray://HOST:10001（收到“{address}”）。")
    if ray.is_initialized():
        return ray.cluster_resources()
    env = {"env_vars": {"OMP_WAIT_POLICY": "PASSIVE", "TOKENIZERS_PARALLELISM": "false"}}
    try:
        if address == "auto":
            try:
                ray.init(address="auto", runtime_env=env, logging_level="ERROR", log_to_driver=False)
            except ConnectionError:  # no cluster on this machine: a local one
                ray.init(num_cpus=cpus, runtime_env=env, include_dashboard=False, logging_level="ERROR", log_to_driver=False)
        else:
            ray.init(address=address, runtime_env=env, logging_level="ERROR", log_to_driver=False)
    except Exception as e:  # noqa: BLE001 - Ray raises many kinds for one cause
        raise RagError(
            f"无法连接 Ray 集群 {address}：{str(e).splitlines()[0][:200]}。请确认集群已启动（见 docs/deploy.md）。"
        ) from e
    return ray.cluster_resources()


def shutdown() -> None:
    import ray

    if ray.is_initialized():
        ray.shutdown()


def _prepare(path: str) -> tuple[Document | None, object, list[Chunk], str]:
    """In a Ray task: one file loaded, its metadata read and its chunks cut (or the loader's message)."""
    from .chunking import chunk_document
    from .loading import load_document
    from .metadata import extract_metadata

    try:
        doc = load_document(Path(path))
    except LoadError as e:
        return None, None, [], str(e)
    meta = extract_metadata(doc.text)
    return doc, meta, chunk_document(doc, meta), ""


class RayReader:
    """`ingest(reader=…)`: the documents of `paths`, each loaded and chunked in a Ray task."""

    def __call__(self, paths, report, say, on_step: OnStep | None):
        import ray

        from .loading import find_documents

        found = find_documents(list(paths))
        task = ray.remote(num_cpus=1)(_prepare)
        stage = Stage("读取文档", len(found), on_step, unit="个")
        pending = {task.remote(str(p)): i for i, p in enumerate(found)}
        results: dict[int, tuple] = {}
        while pending:  # progress as tasks finish, in whatever order
            done, _ = ray.wait(list(pending), num_returns=1)
            results[pending.pop(done[0])] = ray.get(done[0])
            stage.advance(1)
        docs, prepared = {}, {}
        for i in sorted(results):  # the order a plain ingest reads them in
            doc, meta, chunks, error = results[i]
            if doc is None:
                report.failed[str(found[i])] = error
                say(error)
                continue
            docs[doc.doc_id] = doc
            prepared[doc.doc_id] = (meta, chunks)
        return docs, prepared


class _EmbedActor:
    def __init__(self, name: str):
        from ..embedding import get_embedder

        self.embedder = get_embedder(name)

    def embed(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self.embedder.embed_passages(texts), dtype=np.float32)


class RayEmbedder:
    """An embedder whose passages are embedded by actors on the cluster (queries stay local): the same model, so
    the same vectors. Each call's batch is split over the actors."""

    def __init__(self, local, spec: str, actors: int | None = None, cpus_per_actor: int = 1):
        import ray

        self.local = local
        self.name, self.dim = local.name, local.dim
        total = int(ray.cluster_resources().get("CPU", 1))
        self.size = max(1, actors or total // cpus_per_actor)
        self.spec, self.cpus_per_actor = spec, cpus_per_actor
        self._actors: list = []  # started at the first batch: the reading tasks need the CPUs before
        self.batch = BATCH * self.size  # a full batch for every actor per call

    @property
    def actors(self) -> list:
        import ray

        if not self._actors:
            threads = str(self.cpus_per_actor)
            env = {"env_vars": {"RAG_EMBED_THREADS": threads, "OMP_NUM_THREADS": threads, "OMP_WAIT_POLICY": "PASSIVE"}}
            actor = ray.remote(num_cpus=self.cpus_per_actor, runtime_env=env)(_EmbedActor)
            self._actors = [actor.remote(self.spec) for _ in range(self.size)]
        return self._actors

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        import ray

        if not texts:
            return np.zeros((0, self.dim), np.float32)
        parts = np.array_split(np.arange(len(texts)), min(self.size, len(texts)))
        refs = [a.embed.remote([texts[i] for i in idx]) for a, idx in zip(self.actors, parts, strict=False)]
        return np.vstack(ray.get(refs))

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self.local.embed_queries(texts)


def ray_cpus_default() -> int | None:
    value = os.environ.get("RAG_RAY_CPUS", "").strip()
    return int(value) if value.isdigit() else None
