// Concierge agent console: refreshes the queue and the open conversation in
// place while the tab is visible. Fragments are HTML rendered (and escaped)
// by the server; nothing here builds markup from data.
(function () {
  'use strict';
  var every = parseInt(document.body.getAttribute('data-refresh') || '0', 10);
  var nodes = document.querySelectorAll('[data-fragment]');

  function nearBottom(el) { return el.scrollHeight - el.scrollTop - el.clientHeight < 40; }
  function toBottom(el) { el.scrollTop = el.scrollHeight; }

  var archive = document.getElementById('archive');
  if (archive) { toBottom(archive); }
  if (!every || !nodes.length || !window.fetch) { return; }

  var busy = false;
  function refresh() {
    if (busy || document.hidden) { return; }
    busy = true;
    var pending = nodes.length;
    Array.prototype.forEach.call(nodes, function (n) {
      fetch(n.getAttribute('data-fragment'), { credentials: 'same-origin', cache: 'no-store' })
        .then(function (r) {
          if (r.status === 401) { window.location.reload(); throw new Error('signed out'); }
          if (!r.ok) { throw new Error('HTTP ' + r.status); }
          return r.text();
        })
        .then(function (html) {
          if (html === n.getAttribute('data-last')) { return; }
          var stick = nearBottom(n);
          n.setAttribute('data-last', html);
          n.innerHTML = html;
          if (n === archive && stick) { toBottom(n); }
        })
        .catch(function () { /* try again at the next tick */ })
        .then(function () { if (--pending === 0) { busy = false; } });
    });
  }
  setInterval(refresh, every * 1000);
  document.addEventListener('visibilitychange', refresh);
})();
