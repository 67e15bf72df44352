// The units of featviz's report.html (inlined there by AnalysisReport): draws the controls, and a
// page of cards at a time from the JSON data of the page, so that thousands of units stay fast.
// Every text from the data goes in through textContent or attributes set by the DOM, never as HTML.
(function () {
  'use strict';
  const data = JSON.parse(document.getElementById('featviz-data').textContent);
  const layers = data.layers;
  const kinds = data.objectives;
  const units = data.units;
  const PAGE_SIZES = [24, 60, 120, 240];

  /** The metrics a card shows, which sorting and the range filter use: key, label, value of a unit. */
  const metrics = [{ key: 'selectivity', label: 'selectivity', get: (u) => u.s }];
  for (const k of kinds) {
    const K = k.toUpperCase();
    const of = (u, f) => (u.i[k] ? u.i[k][f] : null);
    metrics.push({ key: 'rs_' + k, label: 'RS (' + K + ')', get: (u) => of(u, 'rs') });
    metrics.push({ key: 'rs_' + k + '_ties', label: 'RS ties (' + K + ')', get: (u) => of(u, 't') });
    metrics.push({ key: 'activation_' + k, label: 'activation (' + K + ')', get: (u) => of(u, 'a') });
    metrics.push({ key: 'percentile_' + k, label: 'percentile (' + K + ')', get: (u) => of(u, 'p') });
  }
  metrics.push({ key: 'ablation_accuracy_drop', label: 'ablation: accuracy drop', get: (u) => u.d });
  metrics.push({ key: 'ablation_loss_increase', label: 'ablation: loss increase', get: (u) => u.x });
  const byKey = new Map(metrics.map((m) => [m.key, m]));

  const state = { layer: '', status: '', sort: '', desc: true, metric: '', min: '', max: '', page: 0,
                  pageSize: 60 };

  function el(tag, attrs, text) {
    const e = document.createElement(tag);
    if (attrs) for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function select(id, label, options, onChange) {
    const l = el('label', null, label + ' ');
    const s = el('select', { id: id });
    for (const [value, text] of options) s.appendChild(el('option', { value: value }, text));
    s.addEventListener('change', () => onChange(s.value));
    l.appendChild(s);
    return l;
  }

  function number(id, label, onChange) {
    const l = el('label', null, label + ' ');
    const i = el('input', { id: id, type: 'number', step: 'any' });
    i.addEventListener('input', () => onChange(i.value));
    l.appendChild(i);
    return l;
  }

  function controls() {
    const c = document.getElementById('controls');
    const change = (f) => (v) => { f(v); state.page = 0; update(); };
    c.appendChild(select('layer', 'layer', [['', 'all layers']].concat(layers.map((l, i) => [String(i), l])),
      change((v) => { state.layer = v; })));
    c.appendChild(select('status', 'status', [['', 'any'], ['ok', 'ok'], ['dead', 'dead'], ['nan', 'diverged']],
      change((v) => { state.status = v; })));
    c.appendChild(select('sort', 'sort by', [['', 'layer and unit']].concat(metrics.map((m) => [m.key, m.label])),
      change((v) => { state.sort = v; })));
    c.appendChild(select('order', 'order', [['desc', 'high first'], ['asc', 'low first']],
      change((v) => { state.desc = v === 'desc'; })));
    c.appendChild(select('metric', 'where', [['', '(any metric)']].concat(metrics.map((m) => [m.key, m.label])),
      change((v) => { state.metric = v; })));
    c.appendChild(number('min', 'from', change((v) => { state.min = v; })));
    c.appendChild(number('max', 'to', change((v) => { state.max = v; })));
    const sizes = select('page-size', 'per page', PAGE_SIZES.map((n) => [String(n), String(n)]),
      change((v) => { state.pageSize = Number(v); }));
    sizes.querySelector('select').value = String(state.pageSize);
    c.appendChild(sizes);
  }

  function statusOf(u) {
    const s = kinds.map((k) => (u.i[k] ? u.i[k].st : null)).filter((x) => x !== null);
    if (s.includes('nan')) return 'nan';
    if (s.includes('dead')) return 'dead';
    return s.length ? 'ok' : '';
  }

  /** The indices of the units the controls select, in the chosen order. */
  function selected() {
    const layer = state.layer === '' ? -1 : Number(state.layer);
    const range = state.metric ? byKey.get(state.metric) : null;
    const min = state.min === '' ? -Infinity : Number(state.min);
    const max = state.max === '' ? Infinity : Number(state.max);
    const out = [];
    for (let i = 0; i < units.length; i++) {
      const u = units[i];
      if (layer >= 0 && u.l !== layer) continue;
      if (state.status && statusOf(u) !== state.status) continue;
      if (range) {
        const v = range.get(u);
        if (v === null || v < min || v > max) continue;
      }
      out.push(i);
    }
    if (state.sort) {
      const m = byKey.get(state.sort);
      const sign = state.desc ? -1 : 1;
      const value = new Map(out.map((i) => [i, m.get(units[i])]));
      out.sort((a, b) => {
        const va = value.get(a);
        const vb = value.get(b);
        if (va === null || vb === null) return va === vb ? a - b : va === null ? 1 : -1; // unknown last
        return va !== vb ? sign * (va - vb) : a - b;
      });
    }
    return out;
  }

  function fmt(v) {
    if (v === null || v === undefined) return '\u2013';
    if (Number.isInteger(v)) return String(v);
    return Number(v.toPrecision(3)).toString();
  }

  function image(src, cls, caption) {
    const f = el('figure');
    if (src) f.appendChild(el('img', { src: src, class: cls, loading: 'lazy', alt: caption }));
    else f.appendChild(el('div', { class: 'missing' }, 'no image'));
    f.appendChild(el('figcaption', null, caption));
    return f;
  }

  function card(u) {
    const c = el('article', { class: 'card', 'data-layer': layers[u.l], 'data-unit': String(u.u) });
    const h = el('header');
    h.appendChild(el('span', { class: 'layer' }, layers[u.l]));
    h.appendChild(el('span', null, 'unit ' + u.u));
    for (const k of kinds) {
      const st = u.i[k] ? u.i[k].st : 'not rendered';
      h.appendChild(el('span', { class: 'status ' + st }, k.toUpperCase() + ' ' + st));
    }
    c.appendChild(h);
    const imgs = el('div', { class: 'images' });
    for (const k of kinds) imgs.appendChild(image(u.i[k] ? u.i[k].img : null, 'unit', k.toUpperCase()));
    imgs.appendChild(image(u.e, 'exemplars', 'dataset exemplars'));
    c.appendChild(imgs);
    const t = el('table', { class: 'numbers' });
    const row = (label, value) => {
      const r = el('tr');
      r.appendChild(el('th', null, label));
      r.appendChild(el('td', null, value));
      t.appendChild(r);
    };
    row('selectivity (preferred class)', fmt(u.s) + ' (' + u.c + ')');
    for (const k of kinds) {
      const m = u.i[k] || {};
      const K = k.toUpperCase();
      row('RS ' + K + ' (ties)', fmt(m.rs) + ' (' + fmt(m.t) + ')');
      row('activation ' + K + ', dataset percentile', fmt(m.a) + ', ' + fmt(m.p));
    }
    row('ablation: accuracy drop, loss increase', fmt(u.d) + ', ' + fmt(u.x));
    c.appendChild(t);
    return c;
  }

  function pager(total) {
    const nav = document.getElementById('pages');
    nav.replaceChildren();
    const pages = Math.max(1, Math.ceil(total / state.pageSize));
    const button = (id, text, page) => {
      const b = el('button', { id: id, type: 'button' }, text);
      b.disabled = page < 0 || page >= pages;
      b.addEventListener('click', () => { state.page = page; update(); window.scrollTo(0, document.getElementById('units').offsetTop); });
      nav.appendChild(b);
    };
    button('previous', 'previous', state.page - 1);
    nav.appendChild(el('span', null, 'page ' + (state.page + 1) + ' of ' + pages));
    button('next', 'next', state.page + 1);
  }

  function update() {
    const chosen = selected();
    const pages = Math.max(1, Math.ceil(chosen.length / state.pageSize));
    state.page = Math.min(state.page, pages - 1);
    const from = state.page * state.pageSize;
    const shown = chosen.slice(from, from + state.pageSize);
    const cards = document.createDocumentFragment();
    for (const i of shown) cards.appendChild(card(units[i]));
    document.getElementById('cards').replaceChildren(cards);
    document.getElementById('count').textContent = chosen.length === 0
      ? 'no unit matches (of ' + units.length + ')'
      : 'units ' + (from + 1) + '\u2013' + (from + shown.length) + ' of ' + chosen.length +
        (chosen.length === units.length ? '' : ' matching (of ' + units.length + ')');
    pager(chosen.length);
  }

  controls();
  update();
})();
