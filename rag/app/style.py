"""Page style and the one script the page runs (citation links -> sources panel)."""

CSS = """
.rq-message { line-height: 1.7; }
.rq-answer, .rq-refusal, .rq-error { font-size: var(--text-md); }
.rq-headline { font-size: 1.08em; margin-bottom: 4px; }
.rq-note { color: #5c5c5c; font-size: 0.9em; margin-bottom: 4px; }
.rq-understood { color: #1a5fb4; background: #eef4fc; border-radius: 6px; padding: 4px 8px; margin-bottom: 6px; font-size: 0.92em; }
.rq-filters { color: #5e5c64; background: #f3f3f3; border-radius: 6px; padding: 3px 8px; margin-bottom: 6px; font-size: 0.88em; }
.rq-notice { color: #7a5c00; font-size: 0.88em; margin-bottom: 6px; }
.rq-refusal { background: #fff4e5; border: 1px solid #f0b35a; border-left: 5px solid #e08a00; border-radius: 6px;
  padding: 8px 10px; color: #5c3d00; }
.rq-refusal-label { display: block; font-weight: 700; color: #b35c00; margin-bottom: 2px; }
.rq-error { background: #fdecec; border-left: 5px solid #c01c28; border-radius: 6px; padding: 8px 10px; color: #7a1018; }
.rq-pending { color: #77767b; font-style: italic; }
.rq-meta { color: #8e8c93; font-size: 0.8em; margin-top: 6px; }
a.rq-cite, .prose a.rq-cite { color: #1a5fb4 !important; font-weight: 700; text-decoration: none !important;
  background: #e3edfb; border-radius: 4px; padding: 0 3px; margin: 0 1px; cursor: pointer; }
a.rq-cite:hover { background: #c7dbf7; }
#sources { max-height: 760px; overflow-y: auto; }
.rq-source { border: 1px solid #dcdcdc; border-radius: 8px; padding: 8px 10px; margin: 8px 0; background: #fff;
  transition: box-shadow 0.3s, border-color 0.3s; }
.rq-source.rq-flash, .rq-source:target { border-color: #1a5fb4; box-shadow: 0 0 0 3px #b9d3f5; }
.rq-source-head { font-size: 0.9em; }
.rq-num { font-weight: 700; color: #1a5fb4; margin-right: 4px; }
.rq-field { display: inline-block; margin-right: 10px; color: #3d3846; }
.rq-field b { color: #77767b; font-weight: 600; margin-right: 2px; }
.rq-source-id { color: #8e8c93; font-size: 0.8em; margin: 2px 0 4px; }
.rq-passage { font-size: 0.92em; line-height: 1.7; color: #241f31; white-space: normal; word-break: break-all; }
.rq-passage mark { background: #ffe680; color: inherit; padding: 0 1px; }
.rq-turn-title, .rq-turn summary { font-weight: 600; color: #3d3846; margin: 6px 0; cursor: pointer; }
details.rq-turn { border-top: 1px dashed #ccc; padding-top: 4px; }
.rq-empty { color: #8e8c93; }
.rq-note { color: #b35c00; font-size: 0.85em; }
table.rq-docs { width: 100%; border-collapse: collapse; font-size: 0.9em; }
table.rq-docs th, table.rq-docs td { border: 1px solid #ddd; padding: 4px 6px; text-align: left; }
table.rq-docs th { background: #f5f5f5; }
.rq-results { padding-left: 1.2em; }
.rq-ok { color: #26734d; }
.rq-fail { color: #a51d2d; }
#answer-mode label.rq-off { opacity: 0.45; pointer-events: none; }
.rq-verified { color: #26734d; background: #eaf6ef; border-radius: 6px; padding: 3px 8px; margin-top: 6px; font-size: 0.88em; }
.rq-fallback { color: #7a5c00; background: #fff8e1; border-left: 4px solid #e0a800; border-radius: 6px; padding: 4px 8px;
  margin-bottom: 6px; font-size: 0.88em; }
.rq-draft { color: #5e5c64; }
.rq-table-wrap { display: flex; flex-wrap: wrap; gap: 10px; align-items: flex-start; margin-top: 4px; }
.rq-table-box { flex: 1 1 300px; max-height: 520px; overflow-y: auto; }
.rq-chart-box { flex: 1 1 100%; }  /* below the table, the chat column's full width: labels stay legible */
img.rq-chart { max-width: 100%; border: 1px solid #e5e5e5; border-radius: 6px; background: #fff; }
table.rq-table { border-collapse: collapse; font-size: 0.9em; width: 100%; }
table.rq-table caption { text-align: left; color: #5e5c64; font-size: 0.9em; }
table.rq-table th, table.rq-table td { border: 1px solid #ddd; padding: 2px 6px; text-align: left; }
table.rq-table th { background: #f5f5f5; cursor: pointer; user-select: none; position: sticky; top: 0; }
table.rq-table th.rq-asc::after { content: " ▲"; } table.rq-table th.rq-desc::after { content: " ▼"; }
.rq-missing { color: #8e8c93; }
/* one progress display per action, in the page's font */
.rq-progress { font-family: var(--font); font-size: var(--text-md); border: 1px solid #d0d7e2; border-radius: 8px;
  padding: 8px 10px; background: #f7f9fc; }
.rq-progress-head { display: flex; gap: 6px; align-items: baseline; }
.rq-phase { color: #1a5fb4; font-weight: 600; }
.rq-percent { margin-left: auto; font-variant-numeric: tabular-nums; font-weight: 600; }
.rq-bar { height: 8px; background: #e3e7ee; border-radius: 4px; overflow: hidden; margin: 6px 0 4px; }
.rq-bar-fill { height: 100%; background: #1a5fb4; transition: width 0.4s; }
.rq-progress-detail { color: #5e5c64; font-size: 0.9em; }
.rq-confirm { background: #fdecec; border-left: 5px solid #c01c28; border-radius: 6px; padding: 8px 10px; color: #5c0a12; }
table.rq-docs td.rq-doc-title b, table.rq-docs td.rq-doc-title span { display: block; }
table.rq-docs .rq-facts { color: #3d3846; font-size: 0.9em; }
table.rq-docs .rq-file { color: #8e8c93; font-size: 0.85em; }
footer { display: none !important; }  /* Gradio's own links (API, settings, "built with") */
/* Gradio titles its toasts with the level in English ("Warning"); ours say it in Chinese */
.toast-title { display: none !important; }
.toast-title-row::before { font-weight: 600; }
.toast-body.warning .toast-title-row::before, .toast-body.info .toast-title-row::before { content: "提示"; }
.toast-body.error .toast-title-row::before { content: "出错"; }
.toast-body.success .toast-title-row::before { content: "完成"; }
"""

# Runs once when the page loads: a click on [n] scrolls the sources panel to
# that passage (opening an older answer's fold) and flashes it.
JS_ON_LOAD = """
if (!window.__rqCiteHandler) {
  window.__rqCiteHandler = true;
  document.addEventListener('click', function (e) {
    const a = e.target.closest && e.target.closest('a.rq-cite');
    if (!a) return;
    e.preventDefault();
    const el = document.getElementById((a.getAttribute('href') || '').slice(1));
    if (!el) return;
    const fold = el.closest('details');
    if (fold) fold.open = true;
    el.scrollIntoView({behavior: 'smooth', block: 'nearest'});
    el.classList.add('rq-flash');
    setTimeout(function () { el.classList.remove('rq-flash'); }, 2000);
  });
}
if (!window.__rqSortHandler) {
  // A click on a table answer's column head sorts its rows (numbers as numbers; again: the other way).
  window.__rqSortHandler = true;
  document.addEventListener('click', function (e) {
    const th = e.target.closest && e.target.closest('table.rq-table th');
    if (!th) return;
    const table = th.closest('table'), col = Array.from(th.parentNode.children).indexOf(th);
    const asc = !th.classList.contains('rq-asc');
    table.querySelectorAll('th').forEach(function (h) { h.classList.remove('rq-asc', 'rq-desc'); });
    th.classList.add(asc ? 'rq-asc' : 'rq-desc');
    const key = function (tr) {
      const td = tr.children[col], v = td.getAttribute('data-sort');
      return v !== null ? (v === '' ? null : parseFloat(v)) : td.textContent.trim();
    };
    const rows = Array.from(table.tBodies[0].rows);
    rows.sort(function (a, b) {
      const x = key(a), y = key(b);
      if (x === null || y === null) return (x === null) - (y === null);  // unstated cells last
      const c = (typeof x === 'number' && typeof y === 'number') ? x - y : String(x).localeCompare(String(y), 'zh');
      return asc ? c : -c;
    });
    rows.forEach(function (r) { table.tBodies[0].appendChild(r); });
  });
}
// The LLM option is greyed out only while no model endpoint is configured (its label then says 未配置).
const llm = document.querySelector('#answer-mode input[value="llm"]');
if (llm && llm.closest('label') && llm.closest('label').textContent.includes('未配置')) {
  llm.disabled = true;
  llm.closest('label').classList.add('rq-off');
}
"""
