// MemScore example explorer: a sortable, filterable, paged table of every example and a detail panel.
// Reads window.MEMSCORE_EXPLORER (explorer/data.js); no network, works from file://.
(function () {
  "use strict";
  const D = window.MEMSCORE_EXPLORER;
  const root = document.getElementById("memscore-explorer");
  if (!D || !root) return;
  const n = D.count, PAGE = 50, SVG = "http://www.w3.org/2000/svg";

  function bytes(b64) {
    const s = atob(b64), out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  }
  const f32 = b => (b == null ? null : new Float32Array(bytes(b).buffer));
  const col = {
    index: new Int32Array(bytes(D.index).buffer), label: new Int32Array(bytes(D.label).buffer),
    m: new Float64Array(bytes(D.m).buffer), lo: f32(D.lo), hi: f32(D.hi), u: f32(D.u), v: f32(D.v), q: f32(D.q),
  };
  const mByEpoch = f32(D.mByEpoch), logp = f32(D.logp), foldOf = bytes(D.foldOf);
  const NN = D.neighbours ? {
    k: D.neighbours.k, trainingRow: new Int32Array(bytes(D.neighbours.trainingRow).buffer), trainingDistance: f32(D.neighbours.trainingDistance),
    sample: new Int32Array(bytes(D.neighbours.sample).buffer), sampleDistance: f32(D.neighbours.sampleDistance),
  } : null;
  const E = D.epochs.length;

  const columns = [
    { key: "thumb", title: "image", sortable: false },
    { key: "index", title: "index" }, { key: "label", title: "label" }, { key: "m", title: "M (nats)" },
    { key: "lo", title: "interval for M", when: col.lo }, { key: "u", title: "U" }, { key: "v", title: "V" },
    { key: "q", title: "q", when: col.q },
  ].filter(c => c.when !== null);

  const state = { rows: null, sortKey: "index", desc: false, page: 0, selected: -1 };
  const fmt = (x, d) => (Number.isFinite(x) ? x.toFixed(d === undefined ? 2 : d) : "n/a");
  const el = (tag, attrs, text) => {
    const e = document.createElement(tag);
    for (const k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  };

  // Controls
  const bar = el("div", { class: "ex-controls" });
  const labelSelect = el("select", { id: "ex-label", "aria-label": "label" });
  labelSelect.appendChild(el("option", { value: "" }, "all labels"));
  Array.from(new Set(col.label)).sort((a, b) => a - b).forEach(l => labelSelect.appendChild(el("option", { value: String(l) }, "label " + l)));
  const mMin = el("input", { id: "ex-mmin", type: "number", step: "any", placeholder: "M from" });
  const mMax = el("input", { id: "ex-mmax", type: "number", step: "any", placeholder: "M to" });
  const search = el("input", { id: "ex-search", type: "search", placeholder: "index" });
  const count = el("span", { id: "ex-count" });
  [el("span", {}, "Filter:"), labelSelect, mMin, mMax, el("span", {}, "Search:"), search, count].forEach(c => bar.appendChild(c));
  root.appendChild(bar);

  const layout = el("div", { class: "ex-layout" });
  const table = el("table", { id: "ex-table" });
  const head = el("tr");
  columns.forEach(c => {
    const th = el("th", { "data-col": c.key }, c.title);
    if (c.sortable !== false) th.addEventListener("click", () => sortBy(c.key, state.sortKey === c.key ? !state.desc : c.key !== "index" && c.key !== "label"));
    head.appendChild(th);
  });
  const thead = el("thead"); thead.appendChild(head); table.appendChild(thead);
  const tbody = el("tbody"); table.appendChild(tbody);
  const left = el("div", { class: "ex-left" });
  left.appendChild(table);
  const pager = el("div", { class: "ex-pager" });
  const prev = el("button", { id: "ex-prev" }, "\u2039 previous"), next = el("button", { id: "ex-next" }, "next \u203a");
  const pageText = el("span", { id: "ex-page" });
  [prev, pageText, next].forEach(c => pager.appendChild(c));
  left.appendChild(pager);
  const panel = el("div", { id: "ex-panel", class: "ex-panel" });
  panel.appendChild(el("p", { class: "ex-hint" }, "Click a row to see the example."));
  layout.appendChild(left); layout.appendChild(panel);
  root.appendChild(layout);

  function thumb(i, scale, sheets) {
    const s = sheets || D.sheets, sheet = Math.floor(i / s.per), k = i % s.per;
    const t = el("span", { class: "ex-thumb" });
    t.style.width = s.width * scale + "px"; t.style.height = s.height * scale + "px";
    t.style.backgroundImage = "url(explorer/" + s.files[sheet] + ")";
    t.style.backgroundSize = s.columns * s.width * scale + "px auto";
    t.style.backgroundPosition = -(k % s.columns) * s.width * scale + "px " + -Math.floor(k / s.columns) * s.height * scale + "px";
    return t;
  }

  function applyFilters() {
    const label = labelSelect.value === "" ? null : Number(labelSelect.value);
    const lo = mMin.value === "" ? -Infinity : Number(mMin.value), hi = mMax.value === "" ? Infinity : Number(mMax.value);
    const text = search.value.trim();
    const keep = [];
    for (let i = 0; i < n; i++) {
      if (label !== null && col.label[i] !== label) continue;
      const m = col.m[i];
      if ((lo > -Infinity || hi < Infinity) && !(m >= lo && m <= hi)) continue;
      if (text && !String(col.index[i]).startsWith(text)) continue;
      keep.push(i);
    }
    state.rows = Int32Array.from(keep);
    order();
    state.page = 0;
    render();
  }

  // NaN last in either direction; ties by row, as scores.csv's ranking (Scores.TopMemorized).
  function order() {
    const values = col[state.sortKey], sign = state.desc ? -1 : 1;
    state.rows.sort((a, b) => {
      const x = values[a], y = values[b], xn = Number.isNaN(x), yn = Number.isNaN(y);
      if (xn || yn) return xn === yn ? a - b : xn ? 1 : -1;
      return x === y ? a - b : (x < y ? -sign : sign);
    });
  }

  function sortBy(key, desc) {
    state.sortKey = key; state.desc = desc; state.page = 0;
    order();
    render();
  }

  function cell(tr, text) { tr.appendChild(el("td", {}, text)); }

  function render() {
    head.querySelectorAll("th").forEach(th => {
      th.className = th.getAttribute("data-col") === state.sortKey ? (state.desc ? "sorted desc" : "sorted asc") : "";
    });
    const rows = state.rows, pages = Math.max(1, Math.ceil(rows.length / PAGE));
    state.page = Math.min(state.page, pages - 1);
    tbody.textContent = "";
    const fragment = document.createDocumentFragment();
    for (let r = state.page * PAGE; r < Math.min(rows.length, (state.page + 1) * PAGE); r++) {
      const i = rows[r], tr = el("tr", { "data-row": String(i) });
      if (i === state.selected) tr.className = "selected";
      columns.forEach(c => {
        if (c.key === "thumb") { const td = el("td"); td.appendChild(thumb(i, 1)); tr.appendChild(td); }
        else if (c.key === "lo") cell(tr, "[" + fmt(col.lo[i], 1) + ", " + fmt(col.hi[i], 1) + "]");
        else if (c.key === "q") cell(tr, Number.isFinite(col.q[i]) ? col.q[i].toPrecision(2) : "n/a");
        else if (c.key === "index" || c.key === "label") cell(tr, String(col[c.key][i]));
        else cell(tr, fmt(col[c.key][i]));
      });
      tr.addEventListener("click", () => open(i));
      fragment.appendChild(tr);
    }
    tbody.appendChild(fragment);
    count.textContent = rows.length.toLocaleString("en") + " of " + n.toLocaleString("en") + " examples";
    pageText.textContent = "page " + (state.page + 1) + " of " + pages;
    prev.disabled = state.page === 0; next.disabled = state.page >= pages - 1;
  }

  prev.addEventListener("click", () => { state.page--; render(); });
  next.addEventListener("click", () => { state.page++; render(); });
  [labelSelect, mMin, mMax, search].forEach(c => c.addEventListener("input", applyFilters));

  // Round ticks: 1, 2 or 5 times a power of ten.
  function ticks(lo, hi, want) {
    const raw = (hi - lo) / Math.max(1, want), p = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = [1, 2, 5, 10].map(s => s * p).find(s => s >= raw) || raw;
    const out = [];
    for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) out.push(Math.abs(t) < step * 1e-9 ? 0 : t);
    return out;
  }

  function svg(tag, attrs, text) {
    const e = document.createElementNS(SVG, tag);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function axes(g, W, H, pad, x0, x1, y0, y1, xLabel, yLabel, yTicks) {
    const px = x => pad.l + (x - x0) / (x1 - x0 || 1) * (W - pad.l - pad.r);
    const py = y => H - pad.b - (y - y0) / (y1 - y0 || 1) * (H - pad.t - pad.b);
    g.appendChild(svg("line", { x1: pad.l, x2: W - pad.r, y1: H - pad.b, y2: H - pad.b, stroke: "#333" }));
    g.appendChild(svg("line", { x1: pad.l, x2: pad.l, y1: pad.t, y2: H - pad.b, stroke: "#333" }));
    ticks(x0, x1, 6).forEach(t => {
      g.appendChild(svg("line", { x1: px(t), x2: px(t), y1: H - pad.b, y2: H - pad.b + 4, stroke: "#333" }));
      g.appendChild(svg("text", { x: px(t), y: H - pad.b + 16, "text-anchor": "middle", class: "tick" }, String(+t.toPrecision(6))));
    });
    (yTicks || ticks(y0, y1, 4).map(t => [t, String(+t.toPrecision(6))])).forEach(([t, name]) => {
      g.appendChild(svg("line", { x1: pad.l, x2: W - pad.r, y1: py(t), y2: py(t), stroke: "#eee" }));
      g.appendChild(svg("text", { x: pad.l - 6, y: py(t) + 4, "text-anchor": "end", class: "tick" }, name));
    });
    g.appendChild(svg("text", { x: (pad.l + W - pad.r) / 2, y: H - 4, "text-anchor": "middle", class: "axis" }, xLabel));
    if (yLabel) g.appendChild(svg("text", { transform: "translate(12 " + (pad.t + H - pad.b) / 2 + ") rotate(-90)", "text-anchor": "middle", class: "axis" }, yLabel));
    return { px, py };
  }

  // Every model's log p(x_i): in-models (x_i in their training folds) and out-models.
  function strip(i) {
    const values = { in: [], out: [] };
    D.models.forEach(([repeat, fold], k) => {
      const v = logp[k * n + i];
      if (!Number.isFinite(v)) return;
      (foldOf[repeat * n + i] === fold ? values.out : values.in).push(v);
    });
    const all = values.in.concat(values.out), W = 420, H = 140, pad = { l: 70, r: 14, t: 12, b: 38 };
    const s = svg("svg", { width: W, height: H, class: "ex-strip", viewBox: "0 0 " + W + " " + H });
    if (all.length === 0) return { node: s, count: 0 };
    let lo = Math.min(...all), hi = Math.max(...all);
    const margin = (hi - lo) * 0.08 || 1; lo -= margin; hi += margin;
    const { px, py } = axes(s, W, H, pad, lo, hi, -0.6, 1.6, "log p(x_i) under each model (nats)", null, [[1, "in-models"], [0, "out-models"]]);
    [["in", 1, "#1f77b4"], ["out", 0, "#d62728"]].forEach(([key, row, color]) => {
      values[key].forEach((v, j) => {
        const jitter = ((j * 0.6180339887) % 1 - 0.5) * 0.5;
        s.appendChild(svg("circle", { cx: px(v), cy: py(row + jitter), r: 4, fill: color, "fill-opacity": 0.75, class: "pt pt-" + key }));
      });
    });
    return { node: s, count: all.length, nIn: values.in.length, nOut: values.out.length };
  }

  function overEpochs(i) {
    const ys = D.epochs.map((_, e) => mByEpoch[i * E + e]), W = 420, H = 130, pad = { l: 70, r: 14, t: 12, b: 38 };
    const s = svg("svg", { width: W, height: H, class: "ex-epochs", viewBox: "0 0 " + W + " " + H });
    const finite = ys.filter(Number.isFinite);
    if (finite.length === 0) return s;
    let lo = Math.min(0, ...finite), hi = Math.max(0, ...finite);
    const margin = (hi - lo) * 0.1 || 1;
    const x0 = D.epochs[0], x1 = D.epochs[E - 1] === x0 ? x0 + 1 : D.epochs[E - 1];
    const { px, py } = axes(s, W, H, pad, x0 - (x1 - x0) * 0.05, x1 + (x1 - x0) * 0.05, lo - margin, hi + margin, "epoch", "M (nats)");
    const points = D.epochs.map((ep, e) => [ep, ys[e]]).filter(p => Number.isFinite(p[1]));
    s.appendChild(svg("polyline", { points: points.map(p => px(p[0]) + "," + py(p[1])).join(" "), fill: "none", stroke: "#1f77b4", "stroke-width": 2 }));
    points.forEach(p => s.appendChild(svg("circle", { cx: px(p[0]), cy: py(p[1]), r: 4, fill: "#1f77b4" })));
    return s;
  }

  function open(i) {
    state.selected = i;
    panel.textContent = "";
    panel.appendChild(el("h3", {}, "Example " + col.index[i] + " (label " + col.label[i] + ")"));
    const top = el("div", { class: "ex-top" });
    top.appendChild(thumb(i, 4));
    const facts = el("table", { class: "ex-facts" });
    const row = (k, v) => { const tr = el("tr"); tr.appendChild(el("th", {}, k)); tr.appendChild(el("td", {}, v)); facts.appendChild(tr); };
    row("M", fmt(col.m[i], 3) + " nats");
    if (col.lo) row("interval" + (D.intervalLevel ? " (" + (100 * D.intervalLevel).toFixed(1) + "%)" : ""), "[" + fmt(col.lo[i]) + ", " + fmt(col.hi[i]) + "]");
    row("U (in-models)", fmt(col.u[i], 3)); row("V (out-models)", fmt(col.v[i], 3));
    if (col.q) row("q-value", Number.isFinite(col.q[i]) ? col.q[i].toPrecision(3) : "n/a");
    top.appendChild(facts);
    panel.appendChild(top);
    const plot = strip(i);
    panel.appendChild(el("h4", {}, "log p(x) under each model at epoch " + D.epochs[E - 1] + ": " + plot.nIn + " in, " + plot.nOut + " out"));
    panel.appendChild(plot.node);
    panel.appendChild(el("h4", {}, "M at every evaluation epoch"));
    panel.appendChild(overEpochs(i));
    if (NN) neighbours(i);
    tbody.querySelectorAll("tr").forEach(tr => tr.classList.toggle("selected", Number(tr.getAttribute("data-row")) === i));
  }

  // A row of neighbour thumbnails with their distances; a training neighbour opens on click.
  function neighbourRow(cls, items) {
    const box = el("div", { class: "ex-nn " + cls });
    items.forEach(([node, caption, onClick]) => {
      const f = el("figure", {});
      f.appendChild(node);
      f.appendChild(el("figcaption", {}, caption));
      if (onClick) { f.classList.add("ex-link"); f.addEventListener("click", onClick); }
      box.appendChild(f);
    });
    return box;
  }

  function neighbours(i) {
    const k = NN.k, G = D.neighbours;
    panel.appendChild(el("h4", {}, "Nearest images"));
    panel.appendChild(el("div", { class: "ex-nn-title" }, "d: Euclidean distance on 2x down-sampled images, as in the nearest-neighbour test"));
    if (NN.sample[i * k] < 0) {
      panel.appendChild(el("p", { class: "ex-hint" }, "Not in the full model's training set: no neighbours."));
      return;
    }
    const training = [], samples = [];
    for (let j = 0; j < k; j++) {
      const row = NN.trainingRow[i * k + j], s = NN.sample[i * k + j];
      if (row >= 0) training.push([thumb(row, 2), "#" + col.index[row] + " d=" + fmt(NN.trainingDistance[i * k + j], 1), () => open(row)]);
      if (s >= 0) samples.push([thumb(s, 2, G.sheets), "d=" + fmt(NN.sampleDistance[i * k + j], 1)]);
    }
    panel.appendChild(el("div", { class: "ex-nn-title" }, "training images of the full model (click to open)"));
    panel.appendChild(neighbourRow("ex-nn-train", training));
    panel.appendChild(el("div", { class: "ex-nn-title" }, G.generated + " of the full model"));
    panel.appendChild(neighbourRow("ex-nn-sample", samples));
  }

  // For the browser tests and scripted use: the current rows in display order.
  window.memscoreExplorer = {
    sortBy, open, rows: () => Array.from(state.rows), index: i => col.index[i], label: i => col.label[i],
    hasNeighbours: i => !!NN && NN.sample[i * NN.k] >= 0,
  };
  applyFilters();
})();
