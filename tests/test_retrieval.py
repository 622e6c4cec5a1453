from rag.question.reading import analyse
from rag.retrieval import Filters, HybridRetriever, slot_weight
from rag.stores.files import load_index


def _retriever(root, emb):
    index, _ = load_index(root, emb.name)
    return HybridRetriever(index, emb)


def test_hybrid_finds_the_figure(fake_index, fake_embedder):
    r = _retriever(fake_index, fake_embedder)
    hits = r.search("甲山区2022年地区生产总值是多少？", k=5)
    assert "805亿元" in hits[0].chunk.text
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_region_and_year_slots_rerank(fake_index, fake_embedder):
    r = _retriever(fake_index, fake_embedder)
    top = r.search("临沂市地区生产总值增长目标是多少？", k=3)[0]
    assert top.chunk.doc_id == "b_report.txt"
    top = r.search("甲山区2023年地区生产总值增长目标", k=3)[0]
    assert "6%左右" in top.chunk.text


def test_slot_weight_penalises_other_region_and_period(fake_index, fake_embedder):
    r = _retriever(fake_index, fake_embedder)
    review = next(c for c in r.index.chunks if "805亿元" in c.text)
    plan = next(c for c in r.index.chunks if "6%左右" in c.text)
    q = r.analyse("甲山区2022年地区生产总值是多少")
    assert slot_weight(review, q) > slot_weight(plan, q)
    q_other = r.analyse("临沂市2022年地区生产总值是多少")
    assert slot_weight(review, q_other) < slot_weight(review, q)
    # another place's report is not searched at all for a question naming a place
    assert all(h.chunk.doc_id == "b_report.txt" for h in r.search("临沂市2022年地区生产总值是多少", k=10))


def test_relative_year_resolved_per_document(fake_index, fake_embedder):
    r = _retriever(fake_index, fake_embedder)
    review = next(c for c in r.index.chunks if "805亿元" in c.text)  # delivered 2023: 去年 = 2022
    q = analyse("甲山区去年地区生产总值", r.regions)
    assert q.relative == [-1]
    assert slot_weight(review, q) > 1.0


def test_filters_are_hard(fake_index, fake_embedder):
    r = _retriever(fake_index, fake_embedder)
    hits = r.search("地区生产总值", k=10, filters=Filters(docs=("b_report.txt",)))
    assert hits and all(h.chunk.doc_id == "b_report.txt" for h in hits)
    hits = r.search("地区生产总值", k=10, filters=Filters(regions=("甲山区",)))
    assert hits and all(h.chunk.meta.region == "甲山区" for h in hits)


def test_query_embedding_cached(fake_index, fake_embedder):
    r = _retriever(fake_index, fake_embedder)
    r.search("充电桩保有量", k=3)
    n = fake_embedder.queries_embedded
    r.search("充电桩保有量", k=3)
    assert fake_embedder.queries_embedded == n


def test_question_analysis_slots():
    q = analyse("张店区2023年地区生产总值增长目标是多少？", ["张店区", "淄博市"])
    assert q.regions == ["张店区"] and q.years == [2023] and q.kind == "target" and q.asked == "number"
    q = analyse("临淄“十三五”期间引进了哪些企业？", ["临淄区"])
    assert q.regions == ["临淄区"] and q.periods == ["十三五"] and q.asked == "list"
    q = analyse("报告是什么时候作的？", [])
    assert q.asked == "date"
