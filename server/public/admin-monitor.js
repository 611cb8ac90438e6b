/* Veldwerk response monitor: asks the same URL for JSON every few seconds and rewrites the tables' bodies.
   Text goes in with textContent only, so nothing from the data is ever read as markup. */
(function () {
  'use strict';
  var root = document.getElementById('monitor');
  var updated = document.getElementById('monitor-updated');
  if (!root || root.getAttribute('data-source') !== 'live') return;
  var INTERVAL_MS = 5000;
  /* the same reading as the page: "6 December 2026 at 15:35" on Amsterdam's clocks */
  var AMSTERDAM = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/Amsterdam',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });

  function pct(v) {
    return v === null ? '\u2013' : v.toFixed(1) + '%';
  }
  function cells(c) {
    return [
      c.invited,
      c.queued,
      c.sent,
      pct(c.sendingProgress),
      c.bounced,
      c.optedOut,
      c.started,
      c.completed,
      pct(c.responseRate),
    ];
  }
  function fill(tableId, rows) {
    var table = root.querySelector('table[data-table="' + tableId + '"]');
    if (!table) return false;
    var body = table.tBodies[0];
    while (body.firstChild) body.removeChild(body.firstChild);
    rows.forEach(function (r) {
      var tr = document.createElement('tr');
      var th = document.createElement('th');
      th.scope = 'row';
      th.textContent = r.value;
      tr.appendChild(th);
      cells(r.counts).forEach(function (v) {
        var td = document.createElement('td');
        td.textContent = String(v);
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    return true;
  }
  /* the same labels as the page: a combined row of small groups (value null), the empty value, or the value itself */
  function label(v) {
    if (v.value === null) return 'Other values (' + v.combinedValues + ' combined)';
    return v.value === '' ? '(no value)' : v.label || v.value;
  }
  function render(m) {
    fill('overall', [{ value: 'All', counts: m.overall }]);
    m.attributes.forEach(function (a) {
      fill(
        'by-' + a.attribute,
        a.values.map(function (v) {
          return { value: label(v), counts: v.counts };
        }),
      );
    });
    if (updated) updated.textContent = AMSTERDAM.format(new Date(m.generatedAt)).replace(',', ' at');
    if (m.source !== 'live') window.location.reload();
  }
  function poll() {
    fetch(window.location.pathname, {
      headers: { Accept: 'application/json', 'X-Veldwerk-Poll': '1' },
      credentials: 'same-origin',
      cache: 'no-store',
    })
      .then(function (res) {
        if (res.status === 401) {
          window.location.assign('/signin');
          return null;
        }
        return res.ok ? res.json() : null;
      })
      .then(function (m) {
        if (m) render(m);
      })
      .catch(function () {
        /* offline for a moment: the next poll tries again */
      })
      .then(function () {
        setTimeout(poll, INTERVAL_MS);
      });
  }
  setTimeout(poll, INTERVAL_MS);
})();
