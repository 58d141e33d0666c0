// otel-activity dashboard: reads the named reports and alerts through the JSON API with the admin token (kept in
// sessionStorage, sent as a Bearer header, never put in a URL). Every value is rendered with textContent: paths and
// user agents come from the public and may hold markup.
'use strict';

(function () {
  const TOKEN_KEY = 'otelActivityAdminToken';
  const charts = {};
  const $ = (id) => document.getElementById(id);

  function token() {
    return sessionStorage.getItem(TOKEN_KEY) || '';
  }

  /** The report window: #from=…&to=… or #since=7d in the address (no secrets there), else the select. */
  function windowParams() {
    const hash = new URLSearchParams(location.hash.slice(1));
    const params = new URLSearchParams();
    if (hash.get('from')) {
      $('since').value = '';
      params.set('from', hash.get('from'));
      if (hash.get('to')) params.set('to', hash.get('to'));
    } else {
      params.set('since', hash.get('since') || $('since').value);
    }
    return params;
  }

  class Unauthorized extends Error {}

  async function api(path, init) {
    const response = await fetch(path, Object.assign({}, init, { headers: { authorization: 'Bearer ' + token() } }));
    const body = await response.json().catch(() => ({}));
    if (response.status === 401 || response.status === 403) throw new Unauthorized(body.error || 'not authorised');
    if (!response.ok) throw new Error(body.error || 'HTTP ' + response.status);
    return body;
  }

  async function report(name, extra) {
    const params = windowParams();
    for (const [key, value] of Object.entries(extra || {})) if (value !== '' && value !== undefined) params.set(key, String(value));
    return api('/api/reports/' + encodeURIComponent(name) + '?' + params.toString());
  }

  function cell(row, text, className) {
    const td = document.createElement('td');
    td.textContent = text === null || text === undefined ? '' : String(text);
    if (className) td.className = className;
    row.appendChild(td);
    return td;
  }

  function fillTable(id, rows, columns) {
    const body = $(id).querySelector('tbody');
    body.replaceChildren();
    for (const data of rows) {
      const tr = document.createElement('tr');
      for (const column of columns) {
        const value = typeof column === 'function' ? column(data) : data[column];
        cell(tr, value, typeof value === 'number' ? 'num' : '');
      }
      body.appendChild(tr);
    }
    if (!rows.length) {
      const tr = document.createElement('tr');
      const td = cell(tr, 'nothing in this window');
      td.colSpan = columns.length;
      body.appendChild(tr);
    }
  }

  function drawChart(id, config) {
    if (!window.Chart) return;
    if (charts[id]) charts[id].destroy();
    charts[id] = new window.Chart($(id), Object.assign({ options: { responsive: true, maintainAspectRatio: false, animation: false } }, config));
  }

  const num = (v) => Number(v);
  const pct = (v) => (Number(v) * 100).toFixed(1) + '%';

  async function loadTiles() {
    const { rows, from, to } = await report('overview');
    const o = rows[0] || {};
    for (const el of document.querySelectorAll('[data-tile]')) {
      const v = o[el.dataset.tile];
      el.textContent = v === undefined || v === null ? '–' : String(v);
    }
    $('window-label').textContent = from + ' → ' + to + ' UTC';
  }

  async function loadThroughput() {
    const { rows } = await report('throughput', { bucket_minutes: 60 });
    drawChart('throughput-chart', {
      type: 'line',
      data: {
        labels: rows.map((r) => r.bucket),
        datasets: [
          { label: 'requests', data: rows.map((r) => num(r.requests)), borderColor: '#2f6fde' },
          { label: '5xx', data: rows.map((r) => num(r.errors)), borderColor: '#d33' },
          { label: '4xx', data: rows.map((r) => num(r.client_errors)), borderColor: '#e0a000' },
        ],
      },
    });
  }

  async function loadRoutes() {
    const { rows } = await report('endpoint-latency.raw', { limit: 15 });
    fillTable('routes', rows, ['method', 'route', (r) => num(r.requests), (r) => num(r.p50_ms), (r) => num(r.p95_ms), (r) => num(r.p99_ms), (r) => pct(r.error_ratio)]);
  }

  async function loadAuth() {
    const [perDay, byIp] = await Promise.all([report('signups-logins-per-day'), report('failed-logins-by-ip', { limit: 10 })]);
    drawChart('auth-chart', {
      type: 'bar',
      data: {
        labels: perDay.rows.map((r) => r.day),
        datasets: [
          { label: 'signups', data: perDay.rows.map((r) => num(r.signups)), backgroundColor: '#3a9d5d' },
          { label: 'logins', data: perDay.rows.map((r) => num(r.logins)), backgroundColor: '#2f6fde' },
          { label: 'failed logins', data: perDay.rows.map((r) => num(r.failed_logins)), backgroundColor: '#d33' },
        ],
      },
    });
    fillTable('failed-ips', byIp.rows, ['ip', (r) => num(r.failures), (r) => num(r.distinct_users), 'last_seen']);
  }

  async function loadCost() {
    const { rows } = await report('cost-by-provider.raw');
    drawChart('cost-chart', {
      type: 'bar',
      data: { labels: rows.map((r) => r.provider), datasets: [{ label: 'USD', data: rows.map((r) => num(r.cost_usd)), backgroundColor: '#7a4fd0' }] },
    });
    fillTable('cost', rows, ['provider', (r) => num(r.calls), (r) => num(r.input_tokens), (r) => num(r.output_tokens), (r) => num(r.cost_usd)]);
  }

  async function loadSessions() {
    const { rows } = await report('active-sessions', { minutes: 15, limit: 20 });
    fillTable('sessions', rows, ['session_id', 'user_id', 'last_seen', 'last_path', (r) => num(r.requests), 'ip']);
  }

  async function loadActivity() {
    const { rows } = await report('recent-activity', {
      user: $('filter-user').value.trim(),
      route: $('filter-route').value.trim(),
      min_status: $('filter-status').value,
      limit: 50,
    });
    fillTable('activity', rows, ['timestamp', 'user_id', 'method', 'path', (r) => num(r.status), (r) => num(r.duration_ms), 'ip', 'user_agent']);
  }

  async function loadAlerts() {
    const { alerts } = await api('/api/alerts?status=open');
    const body = $('alerts').querySelector('tbody');
    body.replaceChildren();
    for (const alert of alerts) {
      const tr = document.createElement('tr');
      tr.dataset.alertId = alert.id;
      cell(tr, alert.created_at);
      cell(tr, alert.severity, 'sev-' + alert.severity);
      cell(tr, alert.rule);
      cell(tr, alert.subject);
      cell(tr, alert.value, 'num');
      cell(tr, alert.threshold, 'num');
      cell(tr, alert.status);
      const td = document.createElement('td');
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = 'Acknowledge';
      button.addEventListener('click', () => acknowledge(alert.id, button));
      td.appendChild(button);
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
      await api('/api/alerts/' + encodeURIComponent(id) + '/ack', { method: 'POST' });
      await loadAlerts();
    } catch (error) {
      button.disabled = false;
      handle(error);
    }
  }

  function handle(error) {
    if (error instanceof Unauthorized) {
      sessionStorage.removeItem(TOKEN_KEY);
      showLogin(error.message);
      return;
    }
    $('error').textContent = String(error.message || error);
  }

  async function loadAll() {
    $('error').textContent = '';
    document.body.dataset.state = 'loading';
    try {
      // The alerts call first: a wrong token shows the login form once, not eight times.
      await loadAlerts();
      const results = await Promise.allSettled([loadTiles(), loadThroughput(), loadRoutes(), loadAuth(), loadCost(), loadSessions(), loadActivity()]);
      const failed = results.find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
      document.body.dataset.state = 'ready';
    } catch (error) {
      document.body.dataset.state = 'error';
      handle(error);
    }
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
    loadAll();
  }

  document.addEventListener('DOMContentLoaded', () => {
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
    $('refresh').addEventListener('click', loadAll);
    $('since').addEventListener('change', () => {
      if (location.hash) history.replaceState(null, '', location.pathname);
      loadAll();
    });
    $('activity-filters').addEventListener('submit', (event) => {
      event.preventDefault();
      loadActivity().catch(handle);
    });
    if (token()) showApp();
    else showLogin('');
  });
})();
