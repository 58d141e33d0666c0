// otel-activity dashboard: reads the named reports and alerts through the JSON API with the viewer or admin token (kept
// in sessionStorage, sent as a Bearer header, never put in a URL). The address (#…) holds the view, the window and
// the filters, so a view can be shared. Every value is rendered with textContent: paths, user ids and user agents
// come from the public and may hold markup.
'use strict';

(function () {
  const TOKEN_KEY = 'otelActivityAdminToken';
  const REFRESH_MS = 30_000;
  const F = window.otelFormat;
  const charts = {};
  const $ = (id) => document.getElementById(id);
  let paused = false;
  let generation = 0;

  function token() {
    return sessionStorage.getItem(TOKEN_KEY) || '';
  }

  // ---- the address: view, window, filters -------------------------------------------------------------------

  const WINDOW_KEYS = ['since', 'from', 'to', 'service', 'environment'];
  // The alert history's own filters: changing one reloads the history, not the whole view.
  const ALERT_KEYS = ['alert_status', 'alert_rule', 'alert_severity'];
  const EVERY_STATUS = 'open,acknowledged,resolved';

  function hashParams() {
    return new URLSearchParams(location.hash.slice(1));
  }

  /** The state the address describes; a bare address is the overview of the last 24 hours. */
  function state() {
    const h = hashParams();
    return {
      view: ['route', 'user', 'session'].includes(h.get('view')) ? h.get('view') : 'overview',
      since: h.get('from') ? '' : h.get('since') || '24h',
      from: h.get('from') || '',
      to: h.get('to') || '',
      service: h.get('service') || '',
      environment: h.get('environment') || '',
      method: h.get('method') || '',
      route: h.get('route') || '',
      user: h.get('user') || '',
      session: h.get('session') || '',
      alertStatus: h.get('alert_status') || EVERY_STATUS,
      alertRule: h.get('alert_rule') || '',
      alertSeverity: h.get('alert_severity') || '',
    };
  }

  /** The address without the alert history's filters: what the whole view depends on. */
  function viewKey() {
    const params = hashParams();
    for (const key of ALERT_KEYS) params.delete(key);
    return params.toString();
  }

  /** An address for `target` (a view and its subject) in the current window and filters. */
  function href(target) {
    const s = state();
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(target)) if (value) params.set(key, value);
    for (const key of WINDOW_KEYS) if (s[key]) params.set(key, s[key]);
    return '#' + params.toString();
  }

  /** Replaces the window and filter keys of the address, keeping the view. */
  function setWindow(changes) {
    const params = hashParams();
    for (const [key, value] of Object.entries(changes)) {
      if (value) params.set(key, value);
      else params.delete(key);
    }
    location.hash = params.toString();
  }

  function utcMs(text) {
    const t = String(text).trim();
    if (/^\d{4}-\d{2}-\d{2}$/.test(t)) return Date.parse(t + 'T00:00:00Z');
    return Date.parse(t.replace(' ', 'T') + (/[zZ]$|[+-]\d\d:?\d\d$/.test(t) ? '' : 'Z'));
  }

  /** Length of the window in ms, known before asking the server (it picks the chart's bucket). */
  function windowMs(s) {
    if (s.from) return (s.to ? utcMs(s.to) : Date.now()) - utcMs(s.from);
    return F.sinceMs(s.since) || F.sinceMs('24h');
  }

  // ---- the API --------------------------------------------------------------------------------------------

  class Unauthorized extends Error {}

  /** `adminOnly`: a 403 means "this needs the admin token", said on the page, not a reason to sign out. */
  async function api(path, init, adminOnly) {
    const headers = { authorization: 'Bearer ' + token() };
    if (init && init.body) headers['content-type'] = 'application/json';
    const response = await fetch(path, Object.assign({}, init, { headers }));
    const body = await response.json().catch(() => ({}));
    if (response.status === 401 || (response.status === 403 && !adminOnly)) throw new Unauthorized(body.error || 'not authorised');
    if (!response.ok) throw new Error(body.error || 'HTTP ' + response.status);
    return body;
  }

  /** GET a named report in the address's window; `filters` says which of service/environment the report takes. */
  async function report(name, extra, filters) {
    const s = state();
    const params = new URLSearchParams();
    if (s.from) {
      params.set('from', s.from);
      if (s.to) params.set('to', s.to);
    } else {
      params.set('since', s.since);
    }
    const take = filters || 'both';
    if (take !== 'none' && s.service) params.set('service', s.service);
    if (take === 'both' && s.environment) params.set('environment', s.environment);
    for (const [key, value] of Object.entries(extra || {})) if (value !== '' && value !== undefined) params.set(key, String(value));
    return api('/api/reports/' + encodeURIComponent(name) + '?' + params.toString());
  }

  // ---- rendering ------------------------------------------------------------------------------------------

  function link(text, target, className) {
    if (!text) return '';
    const a = document.createElement('a');
    a.href = href(target);
    a.textContent = text;
    if (className) a.className = className;
    return a;
  }
  const userLink = (id) => link(id, { view: 'user', user: id }, 'user-link');
  const sessionLink = (id) => link(id, { view: 'session', session: id }, 'session-link');
  const routeLink = (method, route) => link(route, { view: 'route', method, route }, 'route-link');

  const num = (fn) => ({ num: true, fn });
  /** A sum over calls none of which could be priced is "unpriced", not $0. */
  const costCell = (r) => moneyCell(Number(r.calls) > 0 && Number(r.unpriced_calls) === Number(r.calls) ? null : r.cost_usd);
  const moneyCell = (v) => {
    const m = F.money(v);
    return { text: m.text, title: m.exact, num: true };
  };

  /** Appends one cell: a string, a Node (a link) or { text, title, num }. */
  function cell(row, value, className) {
    const td = document.createElement('td');
    if (value instanceof Node) td.appendChild(value);
    else if (value && typeof value === 'object') {
      td.textContent = value.text;
      if (value.title) td.title = value.title;
      if (value.num) td.classList.add('num');
    } else td.textContent = value === null || value === undefined ? '' : String(value);
    if (className) td.classList.add(className);
    row.appendChild(td);
    return td;
  }

  /** One "loading…" row in every table not filled yet: a table keeps at least its height from first paint on. */
  function placeLoadingRows() {
    for (const body of document.querySelectorAll('table tbody')) {
      if (body.rows.length) continue;
      const tr = document.createElement('tr');
      tr.className = 'loading';
      const td = cell(tr, 'loading…', 'empty');
      td.colSpan = body.parentElement.querySelectorAll('thead th').length;
      body.appendChild(tr);
    }
  }

  function fillTable(id, rows, columns, empty, decorate) {
    const body = $(id).querySelector('tbody');
    body.replaceChildren();
    rows.forEach((data, i) => {
      const tr = document.createElement('tr');
      for (const column of columns) {
        const spec = typeof column === 'string' ? { fn: (r) => r[column] } : column.fn ? column : { fn: column };
        cell(tr, spec.fn(data), spec.num ? 'num' : '');
      }
      if (decorate) decorate(tr, data, i);
      body.appendChild(tr);
    });
    if (!rows.length) {
      const tr = document.createElement('tr');
      const td = cell(tr, empty || 'nothing in this window');
      td.colSpan = columns.length;
      td.className = 'empty';
      body.appendChild(tr);
    }
  }

  function drawChart(id, config, meta) {
    const canvas = $(id);
    canvas.dataset.points = String(config.data.labels.length);
    if (meta) canvas.dataset.bucket = meta;
    if (!window.Chart) return;
    if (charts[id]) charts[id].destroy();
    charts[id] = new window.Chart(canvas, Object.assign({ options: { responsive: true, maintainAspectRatio: false, animation: false } }, config));
  }

  /** Rows per bucket laid on every bucket of the window, empty ones as 0, labelled for the bucket's size. */
  function bucketed(body, bucket, fields) {
    const starts = F.bucketStarts(F.parseUtc(body.from), F.parseUtc(body.to), bucket.minutes);
    const byStart = new Map(body.rows.map((r) => [F.parseUtc(r.bucket), r]));
    const multiDay = F.parseUtc(body.to) - F.parseUtc(body.from) > 86_400_000;
    const series = {};
    for (const f of fields) series[f] = starts.map((t) => (byStart.has(t) ? Number(byStart.get(t)[f]) : 0));
    return { labels: starts.map((t) => F.bucketLabel(t, bucket.minutes, multiDay)), series };
  }

  // ---- overview -------------------------------------------------------------------------------------------

  async function loadFilters() {
    const { rows } = await report('dashboard-filters', {}, 'none');
    const s = state();
    const fill = (id, values, current, allText) => {
      const select = $(id);
      const options = [['', allText]].concat([...new Set(values.concat(current ? [current] : []))].sort().map((v) => [v, v]));
      select.replaceChildren(...options.map(([value, text]) => {
        const o = document.createElement('option');
        o.value = value;
        o.textContent = text;
        return o;
      }));
      select.value = current;
    };
    fill('service', rows.map((r) => r.service).filter(Boolean), s.service, 'all services');
    fill('environment', rows.map((r) => r.environment).filter(Boolean), s.environment, 'all environments');
  }

  async function loadTiles() {
    const { rows, from, to } = await report('overview');
    const o = rows[0] || {};
    const show = { p95_ms: F.duration, cost_usd: (v) => F.money(v) };
    for (const el of document.querySelectorAll('[data-tile]')) {
      const key = el.dataset.tile;
      const v = o[key];
      const shown = v === undefined || v === null ? '–' : show[key] ? show[key](v) : F.count(v);
      el.textContent = typeof shown === 'object' ? shown.text : shown;
      el.title = typeof shown === 'object' ? shown.exact : '';
    }
    $('window-label').textContent = F.time(from) + ' → ' + F.time(to) + ' UTC';
  }

  async function loadThroughput() {
    const bucket = F.bucketFor(windowMs(state()));
    const body = await report('throughput', { bucket_minutes: bucket.minutes });
    const { labels, series } = bucketed(body, bucket, ['requests', 'errors', 'client_errors']);
    $('throughput-title').textContent = 'Requests and errors ' + bucket.title;
    drawChart('throughput-chart', {
      type: 'line',
      data: {
        labels,
        datasets: [
          { label: 'requests', data: series.requests, borderColor: '#2f6fde' },
          { label: '5xx', data: series.errors, borderColor: '#d33' },
          { label: '4xx', data: series.client_errors, borderColor: '#e0a000' },
        ],
      },
    }, bucket.name);
  }

  async function loadRoutes() {
    const { rows } = await report('endpoint-latency.raw', { limit: 15 });
    fillTable('routes', rows, [
      'method', (r) => routeLink(r.method, r.route), num((r) => F.count(r.requests)),
      num((r) => F.duration(r.p50_ms)), num((r) => F.duration(r.p95_ms)), num((r) => F.duration(r.p99_ms)), num((r) => F.percent(r.error_ratio)),
    ], 'no requests in this window: start your app with node --require otel-activity/register');
  }

  async function loadAuth() {
    const [perDay, byIp] = await Promise.all([report('signups-logins-per-day'), report('failed-logins-by-ip', { limit: 10 })]);
    drawChart('auth-chart', {
      type: 'bar',
      data: {
        labels: perDay.rows.map((r) => r.day),
        datasets: [
          { label: 'signups', data: perDay.rows.map((r) => Number(r.signups)), backgroundColor: '#3a9d5d' },
          { label: 'logins', data: perDay.rows.map((r) => Number(r.logins)), backgroundColor: '#2f6fde' },
          { label: 'failed logins', data: perDay.rows.map((r) => Number(r.failed_logins)), backgroundColor: '#d33' },
        ],
      },
    });
    fillTable('failed-ips', byIp.rows, ['ip', num((r) => F.count(r.failures)), num((r) => F.count(r.distinct_users)), (r) => F.time(r.last_seen)],
      'no failed logins in this window (auth events need OTEL_ACTIVITY_AUTH_ROUTES or trackAuth)');
  }

  /** The parts of the token counts priced apart: cached input (read from and written to a prompt cache), reasoning output. */
  const tokenParts = [num((r) => F.count(r.cache_read_tokens)), num((r) => F.count(r.cache_write_tokens)), num((r) => F.count(r.reasoning_tokens))];

  async function loadCost() {
    const { rows } = await report('cost-by-provider.raw');
    drawChart('cost-chart', {
      type: 'bar',
      data: { labels: rows.map((r) => r.provider), datasets: [{ label: 'USD', data: rows.map((r) => Number(r.cost_usd)), backgroundColor: '#7a4fd0' }] },
    });
    fillTable('cost', rows, ['provider', num((r) => F.count(r.calls)), num((r) => F.count(r.input_tokens)), num((r) => F.count(r.output_tokens)),
      costCell, num((r) => F.count(r.unpriced_calls))].concat(tokenParts), 'no external calls in this window');
  }

  async function loadCostBreakdown() {
    const [models, users, days, unpriced] = await Promise.all([report('cost-by-model'), report('cost-by-user.raw', { limit: 20 }),
      report('cost-per-day'), report('unpriced-calls', { limit: 20 })]);
    // Per day of the chosen service and environment (the daily rollup is kept per environment).
    fillTable('cost-days', days.rows, ['day', num((r) => F.count(r.calls)), num((r) => F.count(r.input_tokens)), num((r) => F.count(r.output_tokens)),
      costCell, num((r) => F.count(r.unpriced_calls))].concat(tokenParts), 'no external calls in this window');
    fillTable('unpriced', unpriced.rows, [(r) => F.time(r.timestamp), (r) => userLink(r.user_id), 'provider', 'model', num((r) => F.count(r.input_tokens)),
      num((r) => F.count(r.output_tokens))], 'every model call in this window is priced');
    fillTable('cost-models', models.rows, ['provider', 'model', num((r) => F.count(r.calls)), num((r) => F.count(r.input_tokens)), num((r) => F.count(r.output_tokens)),
      costCell, num((r) => F.count(r.unpriced_calls))].concat(tokenParts), 'no model calls in this window');
    // '(anonymous)' is the report's label for calls without a user, not a user to open.
    fillTable('cost-users', users.rows, [(r) => (r.user_id === '(anonymous)' ? r.user_id : userLink(r.user_id)), num((r) => F.count(r.calls)),
      costCell, num((r) => F.count(r.unpriced_calls))], 'no external calls in this window');
  }

  /** Sessions of the moment (the engine's clock, whatever the window), with their status. */
  async function loadSessions() {
    const { rows } = await report('sessions-now', { limit: 20 });
    const t = rows[0];
    if (t) $('sessions-legend').textContent = 'As of the end of the window. Active: a request in the last ' + t.idle_minutes + ' minutes; idle: '
      + t.idle_minutes + ' to ' + t.expire_minutes + '; about to expire: ' + t.expire_minutes + ' to ' + t.ttl_minutes + '.';
    fillTable('sessions', rows, [(r) => sessionLink(r.session_id), (r) => userLink(r.user_id), (r) => ({ text: r.status }),
      num((r) => F.span(Number(r.idle_for_minutes) * 60)), 'last_path', num((r) => F.count(r.requests)), 'ip'],
    'no open session: sessions need a session cookie (OTEL_ACTIVITY_SESSION_COOKIES) or setUser({ sessionId })', (tr, r) => {
      tr.dataset.status = r.status;
    });
  }

  async function loadCustomActivities() {
    const { rows } = await report('activities', {
      user: $('custom-user').value.trim(),
      action: $('custom-action').value.trim(),
      resource_type: $('custom-resource').value.trim(),
      limit: 50,
    }, 'service');
    fillTable('custom-activities', rows, [(r) => F.time(r.timestamp), (r) => userLink(r.user_id), (r) => sessionLink(r.session_id), 'action',
      (r) => [r.resource_type, r.resource_id].filter(Boolean).join(' '), 'details'],
    'no custom activity in this window: record one with trackActivity({ action, resourceType, resourceId })');
  }

  async function recordActivity() {
    const s = state();
    const fields = { service: s.service, environment: s.environment, user: $('record-user').value, action: $('record-action').value,
      resource_type: $('record-resource-type').value, resource_id: $('record-resource-id').value, details: $('record-details').value };
    try {
      const { activity } = await api('/api/activities', { method: 'POST', body: JSON.stringify(fields) }, true);
      $('record-result').textContent = 'Recorded ' + activity.action + ' for ' + (activity.user_id || 'no user') + ' in ' + activity.service + '.';
      $('record-form').reset();
      await loadCustomActivities();
    } catch (error) {
      if (error instanceof Unauthorized) return handle(error);
      $('record-result').textContent = String(error.message || error);
    }
  }

  /** Sets a select to `value`, or to its first option ("every …") when it has no such option. */
  function choose(select, value) {
    select.value = value;
    if (select.value !== value) select.selectedIndex = 0;
    return select.value;
  }

  /** The rule choices: the rules the service evaluates, and the one in the address even if no longer among them. */
  function fillRules(rules, current) {
    const select = $('alert-rule');
    const names = [...new Set(rules.concat(current ? [current] : []))].sort();
    const have = [...select.options].slice(1).map((o) => o.value);
    if (have.join('\n') !== names.join('\n')) {
      select.replaceChildren(select.options[0], ...names.map((name) => {
        const o = document.createElement('option');
        o.value = name;
        o.textContent = name;
        return o;
      }));
    }
    choose(select, current);
  }

  /** Alerts of the address's status, rule, severity and service, newest first. */
  async function loadAlertHistory() {
    const s = state();
    const status = choose($('alert-status'), s.alertStatus);
    const severity = choose($('alert-severity'), s.alertSeverity);
    const params = new URLSearchParams({ status });
    for (const [key, value] of [['rule', s.alertRule], ['severity', severity], ['service', s.service]]) if (value) params.set(key, value);
    const { alerts, rules } = await api('/api/alerts?' + params.toString());
    fillRules(rules || [], s.alertRule);
    const filtered = !status.includes(',') || s.alertRule || severity || s.service;
    const empty = !filtered ? 'no alert raised yet (alert rules run in the service: see Alerts in the README)'
      : 'no ' + (status.includes(',') ? '' : status + ' ') + (severity ? severity + ' ' : '') + 'alert'
        + (s.alertRule ? ' from ' + s.alertRule : '') + (s.service ? ' in ' + s.service : '');
    // An open alert has nobody in "acknowledged by" yet: the cell holds the button that acknowledges it (admin token).
    fillTable('alert-history', alerts, [(a) => F.time(a.created_at), 'severity', 'rule', 'subject', 'status',
      (a) => (a.status === 'open' ? ackButton(a.id) : a.acknowledged_by)], empty, (tr, a) => {
      tr.dataset.alertId = a.id;
    });
  }

  function ackButton(id) {
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = 'Acknowledge';
    button.addEventListener('click', () => acknowledge(id, button));
    return button;
  }

  async function loadActivity() {
    const { rows } = await report('recent-activity', {
      user: $('filter-user').value.trim(),
      route: $('filter-route').value.trim(),
      min_status: $('filter-status').value,
      limit: 50,
    });
    fillTable('activity', rows, [(r) => F.time(r.timestamp), (r) => userLink(r.user_id), 'method', 'path', num((r) => String(r.status)),
      num((r) => F.duration(r.duration_ms)), 'ip', 'user_agent']);
  }

  async function loadAlerts() {
    const { alerts } = await api('/api/alerts?status=open');
    const body = $('alerts').querySelector('tbody');
    body.replaceChildren();
    for (const alert of alerts) {
      const tr = document.createElement('tr');
      tr.dataset.alertId = alert.id;
      cell(tr, F.time(alert.created_at));
      cell(tr, alert.severity, 'sev-' + alert.severity);
      cell(tr, alert.rule);
      cell(tr, alert.subject);
      cell(tr, alert.value, 'num');
      cell(tr, alert.threshold, 'num');
      cell(tr, alert.status);
      const td = document.createElement('td');
      td.appendChild(ackButton(alert.id));
      tr.appendChild(td);
      body.appendChild(tr);
    }
    if (!alerts.length) {
      const tr = document.createElement('tr');
      const td = cell(tr, 'no open alerts');
      td.colSpan = 8;
      body.appendChild(tr);
    }
  }

  async function acknowledge(id, button) {
    button.disabled = true;
    try {
      await api('/api/alerts/' + encodeURIComponent(id) + '/ack', { method: 'POST' }, true);
      await Promise.all([loadAlerts(), loadAlertHistory()]);
    } catch (error) {
      button.disabled = false;
      handle(error);
    }
  }

  // ---- drill-downs ----------------------------------------------------------------------------------------

  function setTiles(attr, row, show) {
    for (const el of document.querySelectorAll('[' + attr + ']')) {
      const key = el.getAttribute(attr);
      const v = row ? row[key] : undefined;
      const shown = v === undefined || v === null ? '–' : (show[key] || F.count)(v);
      el.textContent = typeof shown === 'object' ? shown.text : shown;
      el.title = typeof shown === 'object' ? shown.exact : '';
    }
  }

  async function loadRoute() {
    const s = state();
    $('route-title').textContent = (s.method ? s.method + ' ' : '') + s.route;
    const bucket = F.bucketFor(windowMs(s));
    const subject = { method: s.method, route: s.route };
    const [latency, overTime, mix, users, slowest] = await Promise.all([
      report('endpoint-latency.raw', { route: s.route, limit: 50 }),
      report('route-over-time', Object.assign({ bucket_minutes: bucket.minutes }, subject)),
      report('route-status-mix', subject),
      report('route-top-users', Object.assign({ limit: 10 }, subject)),
      report('route-slowest-requests', Object.assign({ limit: 10 }, subject)),
    ]);
    const row = latency.rows.find((r) => !s.method || r.method === s.method);
    setTiles('data-route-tile', row, { p50_ms: F.duration, p95_ms: F.duration, p99_ms: F.duration, error_ratio: F.percent });
    const { labels, series } = bucketed(overTime, bucket, ['requests', 'errors', 'p50_ms', 'p95_ms', 'p99_ms']);
    $('route-traffic-title').textContent = 'Requests and errors ' + bucket.title;
    $('route-latency-title').textContent = 'Latency p50 / p95 / p99 (ms) ' + bucket.title;
    drawChart('route-traffic-chart', { type: 'line', data: { labels, datasets: [
      { label: 'requests', data: series.requests, borderColor: '#2f6fde' },
      { label: '5xx', data: series.errors, borderColor: '#d33' },
    ] } }, bucket.name);
    drawChart('route-latency-chart', { type: 'line', data: { labels, datasets: [
      { label: 'p50', data: series.p50_ms, borderColor: '#3a9d5d' },
      { label: 'p95', data: series.p95_ms, borderColor: '#e0a000' },
      { label: 'p99', data: series.p99_ms, borderColor: '#d33' },
    ] } }, bucket.name);
    fillTable('route-status', mix.rows, [(r) => String(r.status), num((r) => F.count(r.requests)), num((r) => F.percent(r.share_ratio))],
      'no requests to this route in this window');
    fillTable('route-users', users.rows, [(r) => userLink(r.user_id), num((r) => F.count(r.requests)), num((r) => F.count(r.errors)), (r) => F.time(r.last_seen)],
      'no signed-in user called this route in this window');
    fillTable('route-slowest', slowest.rows, [(r) => F.time(r.timestamp), (r) => userLink(r.user_id), (r) => sessionLink(r.session_id), 'path',
      num((r) => String(r.status)), num((r) => F.duration(r.duration_ms))], 'no requests to this route in this window');
  }

  async function loadUser() {
    const s = state();
    $('user-title').textContent = 'User ' + s.user;
    const [totals, timeline] = await Promise.all([
      report('user-totals', { user: s.user }),
      report('user-timeline', { user: s.user, limit: 500 }),
    ]);
    const t = totals.rows[0];
    setTiles('data-user-tile', t, { cost_usd: F.money });
    $('user-span').textContent = t && Number(t.requests) + Number(t.logins) + Number(t.failed_logins) + Number(t.external_calls) + Number(t.activities) > 0
      ? 'First seen ' + F.time(t.first_seen) + ', last seen ' + F.time(t.last_seen) + ' UTC' + (Number(t.unpriced_calls) ? ' · ' + F.count(t.unpriced_calls) + ' unpriced calls' : '')
      : 'Nothing from this user in this window: widen the window.';
    let previous = null;
    fillTable('user-timeline', timeline.rows, [(r) => F.time(r.timestamp), 'kind', (r) => sessionLink(r.session_id), 'what', 'detail', 'outcome',
      num((r) => (r.duration_ms === null ? '' : F.duration(r.duration_ms))), (r) => (r.kind === 'external' ? moneyCell(r.cost_usd) : '')],
    'nothing from this user in this window', (tr, r) => {
      tr.dataset.kind = r.kind;
      // A new session starts a visibly separated group of rows.
      if (r.session_id && r.session_id !== previous) tr.classList.add('session-start');
      if (r.session_id) previous = r.session_id;
    });
  }

  async function loadSession() {
    const s = state();
    $('session-title').textContent = 'Session ' + s.session;
    const [summary, pages] = await Promise.all([
      report('session-summary', { session: s.session }),
      report('user-journey', { session: s.session, limit: 500 }, 'service'),
    ]);
    const r = summary.rows[0];
    const dl = $('session-summary');
    dl.replaceChildren();
    const items = r ? [
      ['User', userLink(r.user_id) || '(anonymous)'], ['First request', F.time(r.first_seen) + ' UTC'], ['Last request', F.time(r.last_seen) + ' UTC'],
      ['Duration', F.span(r.duration_s)], ['Requests', F.count(r.requests)], ['Device', r.device_type], ['Browser', r.browser], ['OS', r.os],
      ['IP', r.ip], ['User agent', r.user_agent],
    ] : [['Session', 'no request of this session in this window: widen the window']];
    for (const [label, value] of items) {
      const dt = document.createElement('dt');
      dt.textContent = label;
      const dd = document.createElement('dd');
      dd.dataset.field = label;
      if (value instanceof Node) dd.appendChild(value);
      else dd.textContent = value || '';
      dl.append(dt, dd);
    }
    fillTable('session-pages', pages.rows, [(p) => F.time(p.timestamp), 'method', 'path', (p) => routeLink(p.method, p.route), num((p) => String(p.status)),
      num((p) => F.duration(p.duration_ms))], 'no pages of this session in this window');
  }

  // ---- loading, refresh, sign-in --------------------------------------------------------------------------

  function handle(error) {
    if (error instanceof Unauthorized) {
      sessionStorage.removeItem(TOKEN_KEY);
      showLogin(error.message);
      return;
    }
    $('error').textContent = String(error.message || error);
  }

  function showWindowControls(s) {
    $('since').value = s.from ? 'custom' : s.since;
    if ($('since').value === '') $('since').value = 'custom';
    $('custom-range').hidden = !s.from && $('since').value !== 'custom';
    if (s.from) {
      $('custom-from').value = s.from.replace(' ', 'T').slice(0, 16);
      $('custom-to').value = s.to.replace(' ', 'T').slice(0, 16);
    }
  }

  // The viewKey() the shown view was loaded for: an address that differs only in the alert filters keeps it.
  let loadedViewKey = null;

  /** `refreshing`: the 30 s timer, which must not undo a window the user is still choosing. */
  async function loadView(refreshing) {
    const gen = ++generation;
    const s = state();
    loadedViewKey = viewKey();
    $('error').textContent = '';
    document.body.dataset.state = 'loading';
    document.body.dataset.view = s.view;
    for (const el of document.querySelectorAll('[data-view]')) el.hidden = el.dataset.view !== s.view;
    if (refreshing !== true) showWindowControls(s);
    try {
      // One call first: a wrong token shows the login form once, not eight times.
      await loadFilters();
      const loads = s.view === 'route' ? [loadRoute()] : s.view === 'user' ? [loadUser()] : s.view === 'session' ? [loadSession()]
        : [loadAlerts(), loadTiles(), loadThroughput(), loadRoutes(), loadAuth(), loadCost(), loadCostBreakdown(), loadSessions(), loadActivity(), loadCustomActivities(), loadAlertHistory()];
      if (s.view !== 'overview') $('window-label').textContent = '';
      const results = await Promise.allSettled(loads);
      const failed = results.find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
      if (gen === generation) document.body.dataset.state = 'ready';
    } catch (error) {
      if (gen !== generation) return;
      document.body.dataset.state = 'error';
      handle(error);
    }
  }

  function setPaused(value) {
    paused = value;
    $('pause').textContent = paused ? 'Resume auto-refresh' : 'Pause auto-refresh';
    $('pause').setAttribute('aria-pressed', String(paused));
    $('refresh-state').textContent = paused ? 'auto-refresh paused' : 'auto-refresh every 30 s';
  }

  function showLogin(message) {
    $('app').hidden = true;
    $('window-form').hidden = true;
    $('login').hidden = false;
    $('login-error').textContent = message || '';
    document.body.dataset.state = 'login';
  }

  function showApp() {
    $('login').hidden = true;
    $('app').hidden = false;
    $('window-form').hidden = false;
    loadView();
  }

  document.addEventListener('DOMContentLoaded', () => {
    placeLoadingRows();
    $('login-form').addEventListener('submit', (event) => {
      event.preventDefault();
      sessionStorage.setItem(TOKEN_KEY, $('token').value);
      $('token').value = '';
      showApp();
    });
    $('logout').addEventListener('click', () => {
      sessionStorage.removeItem(TOKEN_KEY);
      showLogin('');
    });
    $('refresh').addEventListener('click', () => loadView());
    $('pause').addEventListener('click', () => setPaused(!paused));
    $('since').addEventListener('change', () => {
      if ($('since').value === 'custom') {
        $('custom-range').hidden = false;
        return;
      }
      $('custom-range').hidden = true;
      setWindow({ since: $('since').value, from: '', to: '' });
    });
    $('custom-apply').addEventListener('click', () => {
      if (!$('custom-from').value) return;
      setWindow({ since: '', from: $('custom-from').value, to: $('custom-to').value });
    });
    $('service').addEventListener('change', () => setWindow({ service: $('service').value }));
    $('environment').addEventListener('change', () => setWindow({ environment: $('environment').value }));
    $('activity-filters').addEventListener('submit', (event) => {
      event.preventDefault();
      loadActivity().catch(handle);
    });
    $('record-form').addEventListener('submit', (event) => {
      event.preventDefault();
      recordActivity();
    });
    // "every …" is the default, left out of the address.
    $('alert-status').addEventListener('change', () => setWindow({ alert_status: $('alert-status').value === EVERY_STATUS ? '' : $('alert-status').value }));
    $('alert-rule').addEventListener('change', () => setWindow({ alert_rule: $('alert-rule').value }));
    $('alert-severity').addEventListener('change', () => setWindow({ alert_severity: $('alert-severity').value }));
    $('custom-filters').addEventListener('submit', (event) => {
      event.preventDefault();
      loadCustomActivities().catch(handle);
    });
    window.addEventListener('hashchange', () => {
      if (!token()) return;
      if (viewKey() === loadedViewKey && state().view === 'overview') loadAlertHistory().catch(handle);
      else loadView();
    });
    // Auto-refresh reloads the view in place; a paused or hidden tab asks nothing.
    setInterval(() => {
      if (!paused && token() && !document.hidden && !$('app').hidden) loadView(true);
    }, REFRESH_MS);
    setPaused(false);
    if (token()) showApp();
    else showLogin('');
  });
})();
