/* assetloc's local page: a form over the household's tables, the JSON API for the rest.
 *
 * The household lives in one object (`state.household`, the TOML file's structure as JSON);
 * the form edits the common fields and keeps everything else it was given (lots, securities,
 * a [plan] table...). Every user-supplied text reaches the page through textContent or an
 * attribute, never through innerHTML. Numbers come back from the API exactly as
 * `assetloc COMMAND FILE --json` prints them: dollars, and decimals for returns and rates. */
'use strict';

(() => {
  const state = {
    household: null, // the household's tables (JSON)
    presets: [],
    schema: null,
    saved: null, // {id, revision} of the loaded saved household
    results: {},
  };
  const TOKEN = (() => {
    const q = new URLSearchParams(window.location.search).get('token');
    if (q) sessionStorage.setItem('assetloc-token', q);
    return q || sessionStorage.getItem('assetloc-token');
  })();
  const ORDER = ['optimize', 'frontier', 'compare', 'taxes', 'rebalance', 'harvest', 'simulate', 'lots', 'realized'];
  const TITLES = {
    optimize: 'The plan: holdings per account and class',
    frontier: 'After-tax efficient frontier',
    compare: 'Methods compared',
    taxes: 'Effective tax rates per class',
    rebalance: 'Rebalance: the trades and their tax',
    harvest: 'Tax-loss harvesting candidates',
    simulate: 'Simulation, year by year',
    lots: 'Open lots from the ledger',
    realized: 'Realized sales from the ledger',
  };
  const $ = (id) => document.getElementById(id);

  // ---------- formatting (dollars, decimals shown as percent) ----------
  const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 });
  const usd2 = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const num = new Intl.NumberFormat('en-US', { maximumFractionDigits: 6 });
  const dollars = (x) => (x === null || x === undefined ? '' : usd.format(x));
  const cents = (x) => (x === null || x === undefined ? '' : usd2.format(x));
  const pct = (x, d = 2) => (x === null || x === undefined ? '' : `${(100 * x).toFixed(d)}%`);
  const bp = (x) => (x === null || x === undefined ? '' : `${x.toFixed(1)} bp`);

  // ---------- DOM helpers: text only, never HTML ----------
  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'text') node.textContent = String(v);
      else if (k === 'class') node.className = v;
      else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }

  function table(caption, headers, rows, numeric = []) {
    const t = el('table', {}, el('caption', { text: caption }));
    t.append(el('thead', {}, el('tr', {}, headers.map((h) => el('th', { scope: 'col', text: h })))));
    const body = el('tbody');
    for (const r of rows) {
      body.append(el('tr', {}, r.map((c, j) => (j === 0
        ? el('th', { scope: 'row', text: c })
        : el('td', { class: numeric.includes(j) ? 'num' : null, text: c })))));
    }
    t.append(body);
    return el('div', { class: 'table-wrap' }, t);
  }

  // ---------- paths into the household: "accounts[0].positions[1].shares" ----------
  function parsePath(path) {
    const out = [];
    for (const part of path.split('.')) {
      const m = part.match(/^([^[\]]*)((?:\[\d+\])*)$/);
      if (!m) { out.push(part); continue; }
      if (m[1]) out.push(m[1]);
      for (const i of m[2].matchAll(/\[(\d+)\]/g)) out.push(Number(i[1]));
    }
    return out;
  }
  function getPath(obj, path) {
    let o = obj;
    for (const k of parsePath(path)) {
      if (o === null || o === undefined) return undefined;
      o = o[k];
    }
    return o;
  }
  function setPath(obj, path, value) {
    const keys = parsePath(path);
    let o = obj;
    for (let i = 0; i < keys.length - 1; i += 1) {
      if (o[keys[i]] === undefined || o[keys[i]] === null) o[keys[i]] = typeof keys[i + 1] === 'number' ? [] : {};
      o = o[keys[i]];
    }
    const last = keys[keys.length - 1];
    if (value === undefined) delete o[last];
    else o[last] = value;
  }

  // ---------- the schema's choices ----------
  function enumOf(def, prop) {
    const defs = (state.schema && state.schema.$defs) || {};
    const d = defs[def];
    if (!d) return [];
    if (!prop) return d.enum || [];
    const p = (d.properties || {})[prop];
    if (!p) return [];
    if (p.enum) return p.enum;
    for (const a of p.anyOf || []) {
      if (a.enum) return a.enum;
      if (a.$ref) return enumOf(a.$ref.split('/').pop());
    }
    if (p.$ref) return enumOf(p.$ref.split('/').pop());
    if (p.allOf && p.allOf[0] && p.allOf[0].$ref) return enumOf(p.allOf[0].$ref.split('/').pop());
    return [];
  }

  // ---------- fields ----------
  let fieldSeq = 0;
  function fieldId(path) {
    fieldSeq += 1;
    return `f${fieldSeq}-${path.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  }

  /** One labelled input bound to `path`; kind: text | decimal | dollars | number | integer |
   * date | select | check. Empty input removes the key (the file's default applies). */
  function field(path, label, kind, hint = '', choices = []) {
    const id = fieldId(path);
    const value = getPath(state.household, path);
    const hintId = `${id}-hint`;
    const errId = `${id}-error`;
    let input;
    if (kind === 'select') {
      input = el('select', { id });
      input.append(el('option', { value: '', text: '(default)' }));
      for (const c of choices) input.append(el('option', { value: c, text: c, selected: value === c }));
    } else if (kind === 'check') {
      input = el('input', { id, type: 'checkbox', checked: value === true });
    } else {
      const type = kind === 'text' ? 'text' : kind === 'date' ? 'date' : 'text';
      const mode = ['decimal', 'dollars', 'number'].includes(kind) ? 'decimal' : kind === 'integer' ? 'numeric' : null;
      input = el('input', { id, type, inputmode: mode, autocomplete: 'off' });
      input.value = value === undefined || value === null ? '' : String(value);
    }
    input.dataset.path = path;
    input.setAttribute('aria-describedby', `${hintId} ${errId}`);
    const read = () => {
      if (kind === 'check') return input.checked ? true : undefined;
      const raw = input.value.trim();
      if (raw === '') return undefined;
      if (['decimal', 'dollars', 'number', 'integer'].includes(kind)) {
        const n = Number(raw.replace(/[$,\s]/g, ''));
        return Number.isFinite(n) && raw.replace(/[$,\s]/g, '') !== '' ? n : raw; // a non-number goes to the server, which names it
      }
      return raw;
    };
    input.addEventListener(kind === 'select' || kind === 'check' ? 'change' : 'input', () => {
      setPath(state.household, path, read());
      markStale();
      clearError(input);
      if (input.dataset.rerender) renderForm();
    });
    const wrap = el('div', { class: `field field-${kind}` },
      el('label', { for: id, text: label }), input,
      el('span', { class: 'hint', id: hintId, text: hint }),
      el('span', { class: 'error', id: errId, role: 'alert' }));
    return wrap;
  }

  /** The results no longer show the household in the form: say so until the next run. */
  function markStale() {
    const body = $('result-body');
    if (!body.children.length || $('results').classList.contains('stale')) return;
    $('results').classList.add('stale');
    body.before(el('p', { class: 'stale-banner', id: 'stale-banner', role: 'status',
      text: 'The household has changed since these results: run again to update them.' }));
  }

  /** A new household in the form (imported, loaded, or blank): the old results go. */
  function clearResults() {
    $('result-body').replaceChildren();
    state.results = {};
    fresh();
  }

  function fresh() {
    $('results').classList.remove('stale');
    const b = $('stale-banner');
    if (b) b.remove();
  }

  function clearError(input) {
    input.removeAttribute('aria-invalid');
    const err = input.parentElement && input.parentElement.querySelector('.error');
    if (err) err.textContent = '';
  }
  function clearErrors() {
    for (const i of document.querySelectorAll('[aria-invalid="true"]')) clearError(i);
    $('form-error').textContent = '';
  }

  /** Show the API's one-line message next to the field it names (else above the form). */
  function showError(err) {
    clearErrors();
    const message = err.error || 'the request failed';
    const path = err.field || '';
    let target = null;
    if (path) {
      const inputs = [...document.querySelectorAll('[data-path]')];
      const norm = (p) => p.replace(/\[\*\]/g, '[0]');
      const want = norm(path);
      for (let p = want; p && !target; p = p.replace(/(\.[^.[\]]*|\[\d+\])$/, '')) {
        target = inputs.find((i) => i.dataset.path === p) || null;
        if (!/(\.[^.[\]]*|\[\d+\])$/.test(p)) break;
      }
    }
    if (target) {
      target.setAttribute('aria-invalid', 'true');
      target.parentElement.querySelector('.error').textContent = message;
      target.focus();
    } else {
      $('form-error').textContent = message;
    }
    $('run-status').textContent = `Not run: ${message}`;
  }

  function button(text, onclick, attrs = {}) {
    return el('button', { type: 'button', onclick, ...attrs }, text);
  }

  // ---------- the form ----------
  function classesOfPreset() {
    const name = getPath(state.household, 'assumptions.preset');
    const p = state.presets.find((x) => x.name === name) || state.presets[0];
    return p ? p.classes : [];
  }

  function renderForm() {
    markStale();
    const h = state.household;
    const body = $('form-body');
    const focused = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.path : null;
    body.replaceChildren();
    fieldSeq = 0;

    body.append(el('fieldset', {}, el('legend', { text: 'Name' }),
      field('name', 'Household name', 'text', 'also the key of its ledger when saved')));

    body.append(el('fieldset', {}, el('legend', { text: 'Investor and tax profile' }),
      field('investor.ordinary_rate', 'Ordinary income tax rate today', 'decimal', 'federal + state, a decimal: 0.24 = 24%'),
      field('investor.capital_gains_rate', 'Long-term capital gains rate', 'decimal', 'also qualified dividends: 0.15 = 15%'),
      field('investor.retirement_rate', 'Ordinary rate on tax-deferred withdrawals', 'decimal', 'expected in retirement'),
      field('investor.filing_status', 'Filing status', 'select', 'with taxable income: the exact federal tax instead of stated rates', enumOf('Investor', 'filing_status')),
      field('investor.taxable_income', 'Taxable income ($)', 'dollars', 'dollars a year'),
      field('investor.state_rate', 'State tax rate', 'decimal', 'a decimal'),
      field('investor.age', 'Age', 'integer', 'years'),
      field('investor.horizon_years', 'Horizon (years)', 'integer', 'years until the money is spent')));

    const accounts = el('fieldset', {}, el('legend', { text: 'Accounts' }));
    (h.accounts || []).forEach((a, i) => accounts.append(accountBlock(a, i)));
    accounts.append(button('Add an account', () => {
      h.accounts = h.accounts || [];
      h.accounts.push({ id: `account${h.accounts.length + 1}`, type: 'taxable', balance: 0 });
      renderForm();
    }, { id: 'add-account' }));
    body.append(accounts);

    body.append(assumptionsBlock());
    body.append(objectiveBlock());

    body.append(el('fieldset', {}, el('legend', { text: 'Options' }),
      field('options.tax_deferred_basis', 'Tax-deferred accounts count at', 'select', 'after_tax: balance x (1 - retirement rate)', enumOf('Options', 'tax_deferred_basis')),
      field('options.hsa_treatment', 'HSA treated as', 'select', '', enumOf('Options', 'hsa_treatment')),
      field('options.taxable_value', 'Taxable account valued at', 'select', '', enumOf('Options', 'taxable_value'))));

    body.append(el('fieldset', {}, el('legend', { text: 'Rebalance settings' }),
      field('rebalance.mode', 'Mode', 'select', '', enumOf('RebalanceMode')),
      field('rebalance.as_of', 'Trade date', 'date', 'default: today'),
      field('rebalance.allow_losses', 'Sell at a loss when it helps', 'check'),
      field('rebalance.tax_budget', 'Tax budget ($)', 'dollars', 'the most tax the trades may cost'),
      field('rebalance.cost_per_trade', 'Cost per trade ($)', 'dollars')));

    const keep = Object.keys(h).filter((k) => !['name', 'investor', 'accounts', 'assumptions', 'objective', 'options', 'rebalance'].includes(k));
    if (keep.length) {
      body.append(el('p', { class: 'hint', text: `Also kept from the file, unchanged: ${keep.join(', ')}.` }));
    }
    if (focused) {
      const again = [...body.querySelectorAll('[data-path]')].find((i) => i.dataset.path === focused);
      if (again) again.focus();
    }
  }

  function accountBlock(a, i) {
    const p = `accounts[${i}]`;
    const box = el('fieldset', { class: 'account' }, el('legend', { text: `Account ${i + 1}: ${a.id || ''}` }),
      field(`${p}.id`, 'Account id', 'text', 'a short unique name'),
      field(`${p}.type`, 'Type', 'select', 'taxable brokerage, 401(k)/traditional IRA, Roth, HSA', enumOf('AccountType')),
      field(`${p}.balance`, 'Balance ($)', 'dollars', 'or give cash and positions below'),
      field(`${p}.cash`, 'Cash ($)', 'dollars', 'with positions: the uninvested cash'));
    const classes = classesOfPreset();
    const menuId = fieldId(`${p}.menu`);
    const menu = el('select', { id: menuId, multiple: true, size: Math.min(6, Math.max(3, classes.length)), 'aria-describedby': `${menuId}-hint ${menuId}-error` });
    menu.dataset.path = `${p}.menu`;
    const chosen = new Set(a.menu || []);
    for (const c of classes) menu.append(el('option', { value: c.id, text: c.label, selected: chosen.has(c.id) }));
    menu.addEventListener('change', () => {
      const picked = [...menu.selectedOptions].map((o) => o.value);
      setPath(state.household, `${p}.menu`, picked.length ? picked : undefined);
      clearError(menu);
    });
    box.append(el('div', { class: 'field field-menu' }, el('label', { for: menuId, text: 'Fund menu (classes this account can hold)' }), menu,
      el('span', { class: 'hint', id: `${menuId}-hint`, text: 'none selected: every class' }),
      el('span', { class: 'error', id: `${menuId}-error`, role: 'alert' })));

    const positions = el('div', { class: 'positions' }, el('h4', { text: 'Positions' }));
    (a.positions || []).forEach((pos, j) => {
      const pp = `${p}.positions[${j}]`;
      const row = el('fieldset', { class: 'position' }, el('legend', { text: `Position ${j + 1}` }),
        field(`${pp}.symbol`, 'Symbol', 'text'),
        field(`${pp}.shares`, 'Shares', 'number'),
        field(`${pp}.price`, 'Price ($ a share)', 'dollars'));
      (pos.lots || []).forEach((lot, k) => {
        const lp = `${pp}.lots[${k}]`;
        row.append(el('div', { class: 'lot', role: 'group', 'aria-label': `Lot ${k + 1}` },
          field(`${lp}.acquired`, `Lot ${k + 1} acquired`, 'date'),
          field(`${lp}.shares`, 'Shares', 'number'),
          field(`${lp}.cost_basis`, 'Cost basis ($, the lot)', 'dollars'),
          button('Remove lot', () => { pos.lots.splice(k, 1); if (!pos.lots.length) delete pos.lots; renderForm(); })));
      });
      row.append(button('Add a lot', () => { pos.lots = pos.lots || []; pos.lots.push({ acquired: '', shares: 0, cost_basis: 0 }); renderForm(); }),
        button('Remove position', () => { a.positions.splice(j, 1); if (!a.positions.length) delete a.positions; renderForm(); }));
      positions.append(row);
    });
    positions.append(button('Add a position', () => { a.positions = a.positions || []; a.positions.push({ symbol: '', shares: 0, price: 0 }); renderForm(); }));
    box.append(positions);
    box.append(button(`Remove account ${a.id || i + 1}`, () => { state.household.accounts.splice(i, 1); renderForm(); }, { class: 'danger' }));
    return box;
  }

  function assumptionsBlock() {
    const box = el('fieldset', {}, el('legend', { text: 'Assumptions' }));
    const presetField = field('assumptions.preset', 'Capital market assumptions', 'select', 'a bundled survey of expected returns and risks', state.presets.map((p) => p.name));
    presetField.querySelector('select').dataset.rerender = '1';
    box.append(presetField);
    const classes = classesOfPreset();
    const chosen = new Set(getPath(state.household, 'assumptions.universe') || []);
    const group = el('fieldset', { class: 'universe' }, el('legend', { text: 'Universe (none ticked: the preset\'s default)' }));
    for (const c of classes) {
      const id = fieldId(`universe-${c.id}`);
      const box2 = el('input', { type: 'checkbox', id, value: c.id, checked: chosen.has(c.id) });
      box2.dataset.path = 'assumptions.universe';
      box2.addEventListener('change', () => {
        const picked = [...group.querySelectorAll('input:checked')].map((x) => x.value);
        setPath(state.household, 'assumptions.universe', picked.length ? picked : undefined);
        if (getPath(state.household, 'assumptions') && !Object.keys(state.household.assumptions).length) delete state.household.assumptions;
      });
      group.append(el('div', { class: 'check' }, box2, el('label', { for: id, text: `${c.label} (E ${pct(c.expected_return, 1)}, SD ${pct(c.volatility, 1)})` })));
    }
    group.append(el('span', { class: 'error', role: 'alert' }));
    box.append(group);
    return box;
  }

  function objectiveBlock() {
    const box = el('fieldset', {}, el('legend', { text: 'Objective' }));
    const kind = field('objective.kind', 'Kind', 'select', 'fixed_mix: the mix is given, only the location is chosen', enumOf('ObjectiveKind'));
    kind.querySelector('select').dataset.rerender = '1';
    box.append(kind,
      field('objective.risk_aversion', 'Risk aversion A', 'number', 'U = E - (A/2) SD^2; 3.74 in Kaplan'),
      field('objective.returns', 'Expected returns', 'select', 'robust: Black-Litterman blend with equilibrium', enumOf('Objective', 'returns')));
    const k = getPath(state.household, 'objective.kind');
    if (k === 'target_volatility') box.append(field('objective.target_volatility', 'Target volatility', 'decimal', 'a decimal a year'));
    if (k === 'target_return') box.append(field('objective.target_return', 'Target return', 'decimal', 'a decimal a year, after tax'));
    if (k === 'fixed_mix') {
      const mix = el('fieldset', { class: 'mix' }, el('legend', { text: 'The household mix (decimals that sum to 1)' }));
      for (const c of classesOfPreset()) mix.append(field(`objective.mix.${c.id}`, c.label, 'decimal'));
      box.append(mix);
    }
    return box;
  }

  // ---------- the API ----------
  async function api(path, { method = 'GET', json, form, accept } = {}) {
    const headers = {};
    if (TOKEN) headers.Authorization = `Bearer ${TOKEN}`;
    if (accept) headers.Accept = accept;
    let body;
    if (json !== undefined) { headers['Content-Type'] = 'application/json'; body = JSON.stringify(json); }
    if (form) body = form;
    const r = await fetch(path, { method, headers, body });
    if (!r.ok) {
      let err;
      try { err = await r.json(); } catch (e) { err = { error: `${r.status} ${r.statusText}` }; }
      if (typeof err.error !== 'string') err = { error: `${r.status} ${r.statusText}` };
      throw Object.assign(new Error(err.error), { api: err, status: r.status });
    }
    return r;
  }

  function download(blob, name) {
    const url = URL.createObjectURL(blob);
    const a = el('a', { href: url, download: name });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  function fileName(ext) {
    const base = (state.household.name || 'household').replace(/[^A-Za-z0-9_-]+/g, '_').replace(/^_+|_+$/g, '') || 'household';
    return `${base}.${ext}`;
  }

  function simulateQuery() {
    const q = new URLSearchParams();
    for (const k of ['paths', 'years', 'seed']) {
      const v = $(`sim-${k}`) && $(`sim-${k}`).value.trim();
      if (v) q.set(k, v);
    }
    return q.toString();
  }

  async function run(task) {
    clearErrors();
    const status = $('run-status');
    status.textContent = `Running ${task}...`;
    const bar = $('run-progress');
    try {
      let doc;
      if (task === 'simulate' || task === 'rebalance') {
        doc = await runJob(task, bar);
      } else {
        const q = task === 'frontier' ? '?points=50' : '';
        doc = await (await api(`/api/${task}${q}`, { method: 'POST', json: state.household })).json();
      }
      state.results[task] = doc;
      if ($('results').classList.contains('stale')) clearResults();
      renderResult(task, doc);
      status.textContent = `${TITLES[task]}: done.`;
    } catch (e) {
      if (e.api) showError(e.api);
      else status.textContent = `Not run: ${e.message}`;
    } finally {
      bar.hidden = true;
    }
  }

  /** A long run as a job: start it, poll its progress, return its document. */
  async function runJob(task, bar) {
    const q = task === 'simulate' ? simulateQuery() : '';
    const start = await (await api(`/api/jobs/${task}${q ? `?${q}` : ''}`, { method: 'POST', json: state.household })).json();
    bar.hidden = false;
    bar.value = 0;
    for (;;) {
      await new Promise((ok) => setTimeout(ok, 200));
      const job = await (await api(`/api/jobs/${encodeURIComponent(start.id)}`)).json();
      if (job.total) { bar.max = job.total; bar.value = job.done; }
      $('run-status').textContent = job.total ? `Running ${task}: ${job.done} of ${job.total} ${job.unit || ''}` : `Running ${task}...`;
      if (job.status === 'done') return job.result;
      if (job.status === 'error') throw Object.assign(new Error(job.error.error), { api: job.error });
    }
  }

  // ---------- results ----------
  function section(task) {
    let s = $(`result-${task}`);
    const fresh = el('section', { id: `result-${task}`, class: 'result', 'aria-labelledby': `result-${task}-title` },
      el('h3', { id: `result-${task}-title`, tabindex: '-1', text: TITLES[task] }));
    if (s) s.replaceWith(fresh);
    else {
      const body = $('result-body');
      const after = ORDER.slice(ORDER.indexOf(task) + 1).map((t) => $(`result-${t}`)).find(Boolean);
      body.insertBefore(fresh, after || null);
    }
    s = fresh;
    return s;
  }

  function notes(list, title) {
    if (!list || !list.length) return null;
    return el('details', {}, el('summary', { text: title }), el('ul', {}, list.map((n) => el('li', { text: n }))));
  }

  function chart(id, traces, layout) {
    const div = el('div', { class: 'chart', id, role: 'img', 'aria-label': layout.title ? layout.title.text : 'chart' });
    if (window.Plotly) {
      setTimeout(() => window.Plotly.newPlot(div, traces, {
        margin: { t: 40, r: 10, b: 50, l: 70 }, font: { family: 'system-ui, sans-serif' }, ...layout,
      }, { displaylogo: false, responsive: true }), 0);
    } else {
      div.textContent = 'Charts need /static/vendor/plotly.min.js, which the page could not load.';
    }
    return div;
  }

  /** Text for Plotly's labels: its pseudo-HTML is escaped so names show as typed. */
  function plain(s) {
    return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  }

  function renderResult(task, doc) {
    const s = section(task);
    ({
      optimize: renderPlan, frontier: renderFrontier, compare: renderCompare, taxes: renderTaxes,
      rebalance: renderRebalance, harvest: renderHarvest, simulate: renderSimulate,
    })[task](s, doc);
    if (doc.notice) s.append(el('p', { class: 'notice', text: doc.notice }));
    s.querySelector('h3').focus();
  }

  function labelOf(doc, c) {
    return (doc.class_labels && doc.class_labels[c]) || (doc.universe && doc.universe.labels && doc.universe.labels[c]) || c;
  }

  function renderPlan(s, d) {
    const m = d.metrics;
    const imp = d.improvement_bp || {};
    s.append(el('div', { class: 'cards' },
      card('After-tax wealth', dollars(d.household.after_tax_wealth), `of ${dollars(d.household.balance)} in the accounts`),
      card('Expected return', pct(m.expected_return), 'after tax, a year'),
      card('Volatility', pct(m.volatility), 'after tax, a year'),
      card('Location worth vs duplicate', imp.duplicate ? bp(imp.duplicate.expected_return_bp) : '', 'of expected return a year, same mix in every account'),
      card('vs rule of thumb', imp.rule_of_thumb ? bp(imp.rule_of_thumb.expected_return_bp) : '', 'bonds sheltered first')));
    const all = Object.keys(d.household.mix);
    const classes = all.filter((c) => d.accounts.some((a) => Math.abs(a.holdings[c] || 0) >= 0.005));
    const rows = d.accounts.map((a) => [`${a.id} (${a.type})`, ...classes.map((c) => dollars(a.holdings[c] || 0)), dollars(a.balance)]);
    const totals = classes.map((c) => d.accounts.reduce((t, a) => t + (a.holdings[c] || 0), 0));
    rows.push(['All accounts', ...totals.map(dollars), dollars(d.household.balance)]);
    s.append(table('Holdings per account and class (dollars)', ['Account', ...classes.map((c) => labelOf(d, c)), 'Balance'], rows,
      [...classes.keys()].map((j) => j + 1).concat([classes.length + 1])));
    s.append(chart('chart-holdings', classes.map((c) => ({
      type: 'bar', name: plain(labelOf(d, c)), x: d.accounts.map((a) => plain(a.id)), y: d.accounts.map((a) => a.holdings[c] || 0),
      hovertemplate: '%{x}: $%{y:,.0f}<extra>%{fullData.name}</extra>',
    })), { barmode: 'stack', title: { text: 'Holdings per account (dollars)' }, yaxis: { tickprefix: '$', tickformat: ',.0f' } }));
    if (classes.length < all.length) s.append(el('p', { class: 'hint', text: `${all.length - classes.length} classes of the universe are held nowhere and left out.` }));
    s.append(table('The household mix before and after tax', ['Class', 'After tax', 'Pre-tax'],
      classes.map((c) => [labelOf(d, c), pct(d.household.mix[c]), pct(d.household.mix_pre_tax[c])]), [1, 2]));
    const methods = [['joint (this plan)', m], ...Object.entries(d.baselines).map(([n, b]) => [n, b])];
    s.append(table('The plan beside the baselines (same mix; after tax, a year)', ['Method', 'Expected return', 'Volatility', 'Utility', 'Sharpe'],
      methods.map(([n, x]) => [n, pct(x.expected_return), pct(x.volatility), pct(x.utility), x.sharpe === null || x.sharpe === undefined ? '' : x.sharpe.toFixed(3)]), [1, 2, 3, 4]));
    if (d.tie_break) s.append(el('p', { class: 'hint', text: d.tie_break }));
    const a = d.assumptions || {};
    s.append(notes([...(a.notes || []), ...(a.tax_assumptions || []), ...(a.concentration || [])], 'Assumptions and notes'));
  }

  function card(title, value, sub) {
    return el('div', { class: 'card' }, el('div', { class: 'card-title', text: title }), el('div', { class: 'card-value', text: value }), el('div', { class: 'card-sub', text: sub }));
  }

  function renderFrontier(s, d) {
    const traces = [];
    for (const [name, v] of Object.entries(d.views)) {
      traces.push({
        type: 'scatter', mode: 'lines+markers', name: `${name} view`, x: v.points.map((p) => p.volatility), y: v.points.map((p) => p.expected_return),
        hovertemplate: 'SD %{x:.2%}, E %{y:.2%}<extra>%{fullData.name}</extra>',
      });
    }
    if (d.chosen) traces.push({ type: 'scatter', mode: 'markers', name: "the household's plan", marker: { size: 16, symbol: 'diamond-open', line: { width: 2 } }, x: [d.chosen.volatility], y: [d.chosen.expected_return], hovertemplate: 'plan: SD %{x:.2%}, E %{y:.2%}<extra></extra>' });
    traces.push({ type: 'scatter', mode: 'markers', name: 'optimum (this view)', marker: { size: 11, symbol: 'star' }, x: [d.optimum.volatility], y: [d.optimum.expected_return], hovertemplate: 'optimum: SD %{x:.2%}, E %{y:.2%}<extra></extra>' });
    s.append(chart('chart-frontier', traces, { title: { text: 'After-tax efficient frontier' }, xaxis: { title: { text: 'volatility (after tax)' }, tickformat: '.1%' }, yaxis: { title: { text: 'expected return (after tax)' }, tickformat: '.1%' } }));
    const pts = d.points;
    const more = el('details', {}, el('summary', { text: `The ${pts.length} points of the ${d.context} view` }));
    s.append(more);
    more.append(table(`Frontier points, ${d.context} view`, ['#', 'Expected return', 'Volatility', 'Utility'], pts.map((p, i) => [String(i + 1), pct(p.expected_return), pct(p.volatility), pct(p.utility)]), [1, 2, 3]));
  }

  function renderCompare(s, d) {
    s.append(table('Methods (after tax, a year)', ['Method', 'Expected return', 'Volatility', 'Utility', 'Sharpe'],
      d.methods.map((m) => { const x = m[d.context] || m.financial; return [m.name, pct(x.expected_return), pct(x.volatility), pct(x.utility), x.sharpe === null || x.sharpe === undefined ? '' : x.sharpe.toFixed(3)]; }), [1, 2, 3, 4]));
  }

  function renderTaxes(s, d) {
    s.append(table('Effective tax rates (decimals a year shown as %)', ['Class', 'Pre-tax return', 'Effective tax rate', 'Tax cost ratio', 'After tax in taxable'],
      d.classes.map((c) => [c.label, pct(c.pre_tax_return), pct(c.effective_tax_rate), pct(c.tax_cost_ratio), pct(c.after_tax_return.taxable)]), [1, 2, 3, 4]));
    s.append(notes(d.assumptions, 'Tax assumptions'));
  }

  function renderRebalance(s, d) {
    const t = d.tax || {};
    s.append(el('div', { class: 'cards' },
      card('Trades', String(d.trades.length), d.reason || ''),
      card('Estimated tax now', cents(t.estimated_tax), t.source || ''),
      card('Net benefit', d.cost_benefit ? cents(d.cost_benefit.net_benefit) : '', d.cost_benefit ? `of the gain-realizing sales: ${d.cost_benefit.compared_with}` : '')));
    s.append(table('Trades', ['Account', 'Side', 'Symbol', 'Shares', 'Price', 'Amount', 'Short-term gain', 'Long-term gain'],
      d.trades.map((x) => [x.account, x.side, x.symbol, num.format(x.shares), cents(x.price), cents(x.amount), cents(x.short_term_gain), cents(x.long_term_gain)]), [3, 4, 5, 6, 7]));
    s.append(button('Download the orders CSV', async () => {
      try {
        const r = await api('/api/rebalance/orders.csv', { method: 'POST', json: state.household });
        download(await r.blob(), fileName('orders.csv'));
      } catch (e) { if (e.api) showError(e.api); }
    }, { id: 'download-orders' }));
    const w = d.wash_sale || {};
    s.append(notes([...(w.flagged_sales || []), ...(d.notes || [])], 'Wash sales and notes'));
  }

  function renderHarvest(s, d) {
    s.append(table('Loss lots worth selling', ['Account', 'Symbol', 'Acquired', 'Shares', 'Loss', 'Term', 'Tax value now', 'Replacement'],
      d.candidates.map((c) => [c.account, c.symbol, c.acquired, num.format(c.shares), cents(c.loss), c.term, cents(c.tax_value_now), c.replacement ? c.replacement.symbol : c.replacement_reason]), [3, 4, 6]));
    if (!d.candidates.length) s.append(el('p', { text: 'No lot is worth harvesting at the thresholds.' }));
  }

  function renderSimulate(s, d) {
    const fan = d.wealth_fan || {};
    const traces = [];
    const colors = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b'];
    Object.entries(fan).forEach(([name, f], i) => {
      const c = colors[i % colors.length];
      const shown = ['joint', 'duplicate'].includes(name) ? true : 'legendonly';
      const group = { legendgroup: name, visible: shown };
      traces.push({ ...group, type: 'scatter', mode: 'lines', x: f.year, y: f.wealth_p95, line: { width: 0, color: c }, showlegend: false, name: `${name} p95`, hovertemplate: `${name} p95: $%{y:,.0f}<extra></extra>` });
      traces.push({ ...group, type: 'scatter', mode: 'lines', x: f.year, y: f.wealth_p5, fill: 'tonexty', fillcolor: `${c}22`, line: { width: 0, color: c }, showlegend: false, name: `${name} p5`, hovertemplate: `${name} p5: $%{y:,.0f}<extra></extra>` });
      traces.push({ ...group, type: 'scatter', mode: 'lines', x: f.year, y: f.wealth_p50, line: { color: c, width: 2 }, name: `${name}: median, 5th-95th band`, hovertemplate: `${name} year %{x} median: $%{y:,.0f}<extra></extra>` });
    });
    s.append(chart('chart-fan', traces, { title: { text: "After-tax wealth (today's dollars): median and 5th-95th percentiles" }, xaxis: { title: { text: 'year' } }, yaxis: { tickprefix: '$', tickformat: ',.0f' } }));
    s.append(table(`Terminal after-tax wealth (${d.paths} paths, ${d.years} years)`, ['Strategy', 'Mean', '5th pct', 'Median', '95th pct', 'Lifetime tax (mean)'],
      Object.entries(d.strategies).map(([n, x]) => [n, dollars(x.terminal_wealth.mean), dollars(x.terminal_wealth.p5), dollars(x.terminal_wealth.p50), dollars(x.terminal_wealth.p95), dollars(x.lifetime_tax.mean)]), [1, 2, 3, 4, 5]));
    s.append(table('What location is worth (bp a year over duplicate)', ['Strategy', 'Mean', 'Median', 'Share of paths below 0'],
      Object.entries(d.location_value_bp).map(([n, x]) => [n, bp(x.mean), bp(x.p50), pct(x.share_negative, 1)]), [1, 2, 3]));
  }

  // ---------- the saved household's ledger ----------
  function ledgerUrl(tail) {
    return `/api/households/${encodeURIComponent(state.saved.id)}/ledger/${tail}`;
  }

  function showLedger() {
    $('ledger').hidden = !state.saved;
  }

  async function ledgerImport() {
    const file = $('ledger-file').files[0];
    const status = $('ledger-status');
    if (!file) { status.textContent = 'Choose a file to import first.'; return; }
    const form = new FormData();
    form.append('file', file);
    form.append('format', $('ledger-format').value);
    for (const [k, id] of [['account', 'ledger-account'], ['acquired', 'ledger-acquired'], ['as_of', 'ledger-as-of']]) {
      if ($(id).value) form.append(k, $(id).value);
    }
    if ($('ledger-basis-unknown').checked) form.append('basis_unknown', 'true');
    try {
      const r = await (await api(ledgerUrl('import'), { method: 'POST', form })).json();
      status.textContent = `Imported ${r.source} (${r.format}): ${r.added} transactions added, ${r.skipped} already in the ledger.`;
    } catch (e) { status.textContent = `Not imported: ${e.message}`; }
  }

  function yearQuery() {
    const y = $('ledger-year').value.trim();
    return y ? `?year=${encodeURIComponent(y)}` : '';
  }

  async function ledgerLots() {
    try {
      const d = await (await api(ledgerUrl('lots'))).json();
      const s = section('lots');
      s.append(table(`Open lots as of ${d.as_of}`, ['Account', 'Symbol', 'Acquired', 'Shares', 'Basis', 'Wash adjustment', 'Term'],
        d.lots.map((l) => [l.account, l.symbol, l.acquired, num.format(l.shares), cents(l.basis), cents(l.wash_adjustment), l.term]), [3, 4, 5]));
      if (d.notice) s.append(el('p', { class: 'notice', text: d.notice }));
      s.querySelector('h3').focus();
    } catch (e) { $('ledger-status').textContent = e.message; }
  }

  async function ledgerRealized() {
    try {
      const d = await (await api(ledgerUrl(`realized${yearQuery()}`))).json();
      const s = section('realized');
      const t = d.totals;
      s.append(el('div', { class: 'cards' },
        card('Sales', String(t.sales), `in ${d.year}`),
        card('Short-term gain', cents(t.short_term_gain), 'net of disallowed losses'),
        card('Long-term gain', cents(t.long_term_gain), 'net of disallowed losses'),
        card('Wash-sale losses disallowed', cents(t.disallowed_deferred + t.disallowed_permanent), `${cents(t.disallowed_permanent)} of them for good (an IRA bought)`)));
      s.append(table(`Sales of ${d.year} (the totals count the taxable accounts' only)`, ['Account', 'Symbol', 'Sold', 'Acquired', 'Shares', 'Proceeds', 'Basis', 'Gain', 'Term', 'Code', 'Taxable account'],
        d.sales.map((x) => [x.account, x.symbol, x.sold, x.acquired, num.format(x.shares), cents(x.proceeds), cents(x.basis), cents(x.gain), x.term, x.code || '', x.taxable ? 'yes' : 'no']), [4, 5, 6, 7]));
      if (d.notice) s.append(el('p', { class: 'notice', text: d.notice }));
      s.querySelector('h3').focus();
    } catch (e) { $('ledger-status').textContent = e.message; }
  }

  async function ledger8949() {
    try {
      const r = await api(ledgerUrl(`form8949.csv${yearQuery()}`));
      download(await r.blob(), fileName('form8949.csv'));
    } catch (e) { $('ledger-status').textContent = e.message; }
  }

  // ---------- saved households, files ----------
  async function refreshSaved() {
    try {
      const list = await (await api('/api/households')).json();
      const sel = $('saved-select');
      const cur = state.saved ? state.saved.id : '';
      sel.replaceChildren(el('option', { value: '', text: '(new household)' }));
      for (const x of list) sel.append(el('option', { value: x.id, text: x.name, selected: x.id === cur }));
    } catch (e) {
      $('saved-status').textContent = e.message;
    }
  }

  async function saveHousehold() {
    clearErrors();
    try {
      let rec;
      if (state.saved) {
        rec = await (await api(`/api/households/${encodeURIComponent(state.saved.id)}`, { method: 'PUT', json: { household: state.household, revision: state.saved.revision } })).json();
      } else {
        rec = await (await api('/api/households', { method: 'POST', json: state.household })).json();
      }
      state.saved = { id: rec.id, revision: rec.revision };
      showLedger();
      $('saved-status').textContent = `Saved "${rec.name}" (revision ${rec.revision}).`;
      await refreshSaved();
    } catch (e) {
      if (e.api) showError(e.api);
      $('saved-status').textContent = `Not saved: ${e.message}`;
    }
  }

  async function loadHousehold() {
    const id = $('saved-select').value;
    if (!id) { state.saved = null; showLedger(); state.household = blankHousehold(); clearResults(); renderForm(); fresh(); return; }
    try {
      const rec = await (await api(`/api/households/${encodeURIComponent(id)}`)).json();
      state.household = rec.household;
      state.saved = { id: rec.id, revision: rec.revision };
      showLedger();
      clearResults();
      renderForm();
      fresh();
      $('saved-status').textContent = `Loaded "${rec.name}" (revision ${rec.revision}).`;
    } catch (e) { $('saved-status').textContent = e.message; }
  }

  async function deleteHousehold() {
    const id = $('saved-select').value;
    if (!id) { $('saved-status').textContent = 'Choose a saved household to delete.'; return; }
    const name = $('saved-select').selectedOptions[0].textContent;
    if (!window.confirm(`Delete the saved household "${name}"? Its ledger transactions stay in the database under its name.`)) return;
    try {
      await api(`/api/households/${encodeURIComponent(id)}`, { method: 'DELETE' });
      if (state.saved && state.saved.id === id) state.saved = null;
      showLedger();
      $('saved-status').textContent = `Deleted "${name}"; its ledger transactions stay in the database under that name.`;
      await refreshSaved();
    } catch (e) { $('saved-status').textContent = e.message; }
  }

  async function importToml(file) {
    clearErrors();
    const form = new FormData();
    form.append('file', file);
    try {
      state.household = await (await api('/api/household/parse', { method: 'POST', form })).json();
      state.saved = null;
      showLedger();
      clearResults();
      renderForm();
      fresh();
      $('run-status').textContent = `Imported ${file.name}.`;
    } catch (e) { if (e.api) showError(e.api); }
  }

  async function importHoldings(file) {
    clearErrors();
    const form = new FormData();
    form.append('file', file);
    try {
      const got = await (await api('/api/import-holdings', { method: 'POST', form })).json();
      const accounts = state.household.accounts || [];
      for (const a of got.accounts) {
        const i = accounts.findIndex((x) => x.id === a.id);
        if (i < 0) { accounts.push(a); continue; }
        accounts[i] = { ...accounts[i], ...a }; // the file's positions and cash replace a balance
        delete accounts[i].balance;
      }
      state.household.accounts = accounts;
      renderForm();
      $('run-status').textContent = `Imported the positions of ${got.accounts.length} account(s) from ${file.name}.`;
    } catch (e) { if (e.api) showError(e.api); }
  }

  function blankHousehold() {
    return {
      name: '',
      investor: {},
      accounts: [{ id: 'brokerage', type: 'taxable', balance: 0 }],
      assumptions: { preset: state.presets.length ? state.presets[0].name : 'horizon-2025' },
      objective: { kind: 'mean_variance' },
    };
  }

  async function start() {
    try {
      const [presets, schema] = await Promise.all([(await api('/api/presets')).json(), (await api('/api/schema')).json()]);
      state.presets = presets;
      state.schema = schema;
    } catch (e) {
      $('run-status').textContent = `The API did not answer: ${e.message}`;
      return;
    }
    state.household = blankHousehold();
    renderForm();
    refreshSaved();
    for (const b of document.querySelectorAll('[data-run]')) b.addEventListener('click', () => run(b.dataset.run));
    const sim = el('div', { class: 'sim-options', role: 'group', 'aria-label': 'Simulation options' },
      ...['paths', 'years', 'seed'].map((k) => el('span', { class: 'field' }, el('label', { for: `sim-${k}`, text: `Simulation ${k}` }), el('input', { id: `sim-${k}`, inputmode: 'numeric', placeholder: '[plan]' }))));
    document.querySelector('.actions').append(sim);
    $('saved-save').addEventListener('click', saveHousehold);
    $('saved-load').addEventListener('click', loadHousehold);
    $('saved-delete').addEventListener('click', deleteHousehold);
    $('ledger-import').addEventListener('click', ledgerImport);
    $('ledger-lots').addEventListener('click', ledgerLots);
    $('ledger-realized').addEventListener('click', ledgerRealized);
    $('ledger-8949').addEventListener('click', ledger8949);
    $('import-toml').addEventListener('change', (e) => { if (e.target.files[0]) importToml(e.target.files[0]); e.target.value = ''; });
    $('import-csv').addEventListener('change', (e) => { if (e.target.files[0]) importHoldings(e.target.files[0]); e.target.value = ''; });
    $('download-toml').addEventListener('click', async () => {
      try {
        download(await (await api('/api/household/toml', { method: 'POST', json: state.household })).blob(), fileName('toml'));
        $('run-status').textContent = 'Downloaded the household as TOML, as the form holds it (not checked: Optimize checks it).';
      } catch (e) { if (e.api) showError(e.api); }
    });
    $('download-report').addEventListener('click', async () => {
      $('run-status').textContent = 'Writing the report...';
      try {
        download(await (await api('/api/report', { method: 'POST', json: state.household })).blob(), fileName('html'));
        $('run-status').textContent = 'Report downloaded.';
      } catch (e) { if (e.api) showError(e.api); }
    });
    $('household-form').addEventListener('submit', (e) => { e.preventDefault(); run('optimize'); });
  }

  document.addEventListener('DOMContentLoaded', start);
})();
