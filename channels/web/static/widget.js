/*! Concierge chat widget — plain JavaScript, no dependencies.
 * Embed with one line on any page:
 *   <script src="https://HOST/widget.js" defer></script>
 * Its title, greeting, colours and languages are the server's site (SITE);
 * data-title="Chat with us" overrides the title.
 * data-lang="en|zh|auto" (default: the page language), data-api="https://HOST"
 * (default: where this script came from), data-position="right|left",
 * data-open="true" (start open). From the page: ConciergeWidget.open(),
 * .close() and .ask("a question") (opens the chat and sends it).
 * Messages are rendered with createElement and textContent only, never as
 * HTML: the bot's Markdown arrives as a tree the server sanitised (content),
 * built here from a fixed set of tags; links only for http(s) URLs. */
(function () {
  'use strict';
  if (window.ConciergeWidget) return;
  var script = document.currentScript || (function () {
    var all = document.querySelectorAll('script[src*="widget.js"]');
    return all[all.length - 1];
  })();
  if (!script) return;
  function attr(n) { return script.getAttribute('data-' + n) || ''; }
  var SITE = {}; // the server's site: name, welcome, languages, colors
  var api = (attr('api') || new URL('.', script.src).href).replace(/\/+$/, '');
  var want = attr('lang') && attr('lang') !== 'auto' ? attr('lang') : (document.documentElement.lang || navigator.language || 'en');
  var lang = want.toLowerCase().indexOf('zh') === 0 ? 'zh' : 'en';
  var langs = SITE.languages || [];
  if (langs.length && langs.indexOf(lang) < 0) lang = langs[0];
  function site(k) { return (SITE[k] && SITE[k][lang]) || ''; }
  var T = {
    en: {
      open: 'Open chat', unread: 'Open chat (new message)', close: 'Close chat', title: 'Chat with us',
      placeholder: 'Type your question…', label: 'Your message', send: 'Send', typing: 'Assistant is typing…',
      sources: 'Sources:', offline: 'Connection lost. Reconnecting…', back: 'Connected again.', you: 'You',
      bot: 'Assistant', agent: 'Agent', system: 'Notice', pending: 'Sending…', failed: 'Not sent',
      welcome: 'Hello! How can I help you today?',
      handoff: 'A member of our team will reply here.',
      choices: 'Did you mean', choose: 'Choose: ',
      intro: 'Chat window. Enter sends, Shift+Enter starts a new line, Escape closes.'
    },
    zh: {
      open: '打开在线咨询', unread: '打开在线咨询（有新消息）', close: '关闭在线咨询', title: '在线咨询',
      placeholder: '请输入您的问题…', label: '您的消息', send: '发送', typing: '助手正在输入…',
      sources: '来源：', offline: '网络已断开，正在重新连接…', back: '已重新连接。', you: '您',
      bot: '助手', agent: '客服', system: '提示', pending: '发送中…', failed: '未发送',
      welcome: '您好！请问有什么可以帮您？',
      handoff: '我们的同事会在这里回复您。',
      choices: '您是不是想问', choose: '选择：',
      intro: '聊天窗口。回车发送，Shift+回车换行，Esc 关闭。'
    }
  }[lang];
  T.welcome = site('welcome') || T.welcome;

  // Storage: the session token, pending messages and the open state.
  var KEY = 'concierge:' + api + ':';
  var mem = {};
  function load(k, d) {
    try { var v = localStorage.getItem(KEY + k); if (v != null) return JSON.parse(v); } catch (e) { /* private mode */ }
    return k in mem ? mem[k] : d;
  }
  function save(k, v) {
    mem[k] = v;
    try { localStorage.setItem(KEY + k, JSON.stringify(v)); } catch (e) { /* memory only */ }
  }

  var session = load('session', null); // {token, exp}
  var outbox = load('outbox', []);     // [{cid, text, after, choice}], oldest first
  if (!Array.isArray(outbox)) outbox = [];
  var seen = {};       // server message ids shown
  var lastId = 0;      // highest server message id received
  var inflight = null; // the outbox entry being posted
  var pendingEl = {};  // client id → its list item
  var started = false, loaded = false, polling = false, offline = false;
  var delay = {};      // backoff per task
  var sessionReq = null;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }
  function svg() {
    var ns = 'http://www.w3.org/2000/svg';
    var s = document.createElementNS(ns, 'svg');
    s.setAttribute('viewBox', '0 0 24 24');
    s.setAttribute('aria-hidden', 'true');
    s.setAttribute('focusable', 'false');
    var p = document.createElementNS(ns, 'path');
    p.setAttribute('d', 'M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z');
    s.appendChild(p);
    return s;
  }

  // The interface.
  var root = el('div', 'cjw-root');
  root.setAttribute('data-position', attr('position') === 'left' ? 'left' : 'right');
  root.lang = lang === 'zh' ? 'zh-CN' : 'en';
  var C = SITE.colors || {};
  [['primary', C.primary], ['primary-dark', C.primaryDark], ['on-primary', C.onPrimary]].forEach(function (c) {
    if (c[1]) root.style.setProperty('--cjw-' + c[0], c[1]);
  });
  var bubble = el('button', 'cjw-bubble');
  bubble.type = 'button';
  bubble.setAttribute('aria-label', T.open);
  bubble.setAttribute('aria-expanded', 'false');
  bubble.setAttribute('aria-controls', 'cjw-panel');
  bubble.appendChild(svg());
  var panel = el('section', 'cjw-panel');
  panel.id = 'cjw-panel';
  panel.setAttribute('role', 'dialog');
  panel.setAttribute('aria-labelledby', 'cjw-title');
  panel.setAttribute('aria-describedby', 'cjw-intro');
  panel.hidden = true;
  var head = el('header', 'cjw-head');
  var title = el('h2', 'cjw-title', attr('title') || site('name') || T.title);
  title.id = 'cjw-title';
  var closeBtn = el('button', 'cjw-close', '×');
  closeBtn.type = 'button';
  closeBtn.setAttribute('aria-label', T.close);
  head.appendChild(title);
  head.appendChild(closeBtn);
  var intro = el('p', 'cjw-sr', T.intro);
  intro.id = 'cjw-intro';
  var status = el('div', 'cjw-status');
  status.setAttribute('role', 'status');
  var log = el('ol', 'cjw-log');
  log.setAttribute('role', 'log');
  log.setAttribute('aria-live', 'polite');
  log.setAttribute('aria-label', title.textContent);
  log.tabIndex = 0;
  var typing = el('div', 'cjw-typing');
  typing.setAttribute('role', 'status');
  var dots = el('span', 'cjw-dots');
  dots.setAttribute('aria-hidden', 'true');
  dots.appendChild(el('i'));
  dots.appendChild(el('i'));
  dots.appendChild(el('i'));
  var typingText = el('span', 'cjw-sr');
  typing.appendChild(dots);
  typing.appendChild(typingText);
  var form = el('form', 'cjw-form');
  var label = el('label', 'cjw-sr', T.label);
  label.htmlFor = 'cjw-input';
  var input = el('textarea', 'cjw-input');
  input.id = 'cjw-input';
  input.rows = 1;
  input.maxLength = 4000;
  input.placeholder = T.placeholder;
  input.setAttribute('enterkeyhint', 'send');
  var sendBtn = el('button', 'cjw-send', T.send);
  sendBtn.type = 'submit';
  form.appendChild(label);
  form.appendChild(input);
  form.appendChild(sendBtn);
  [head, intro, status, log, typing, form].forEach(function (n) { panel.appendChild(n); });
  root.appendChild(panel);
  root.appendChild(bubble);

  var css = document.createElement('link');
  css.rel = 'stylesheet';
  css.href = new URL('widget.css', script.src).href;
  (document.head || document.documentElement).appendChild(css);

  function setOpen(open, quiet) {
    panel.hidden = !open;
    root.classList.toggle('cjw-is-open', open);
    bubble.setAttribute('aria-expanded', String(open));
    bubble.setAttribute('aria-label', open ? T.close : T.open);
    if (open) bubble.classList.remove('cjw-unread');
    save('open', open);
    if (open) {
      start();
      scroll();
      if (!quiet) input.focus();
    } else if (!quiet) {
      bubble.focus();
    }
  }
  bubble.addEventListener('click', function () { setOpen(panel.hidden); });
  closeBtn.addEventListener('click', function () { setOpen(false); });
  panel.addEventListener('keydown', function (e) {
    if (e.key === 'Escape') { e.preventDefault(); setOpen(false); }
  });

  // Never send on the Enter that confirms an IME composition (Chinese,
  // Japanese...): isComposing, our own flag and keyCode 229 cover the
  // browsers that order these events differently.
  var composing = false;
  input.addEventListener('compositionstart', function () { composing = true; });
  input.addEventListener('compositionend', function () { composing = false; });
  input.addEventListener('keydown', function (e) {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && !composing && e.keyCode !== 229) {
      e.preventDefault();
      submit();
    }
  });
  input.addEventListener('input', autosize);
  form.addEventListener('submit', function (e) { e.preventDefault(); submit(); });
  function autosize() {
    input.style.height = 'auto';
    input.style.height = Math.min(input.scrollHeight, 120) + 'px';
  }
  function submit() {
    var text = input.value.trim();
    if (!text) return;
    input.value = '';
    autosize();
    send(text);
  }
  function send(text, choice) {
    var p = { cid: uid(), text: text, after: lastId }; // it will be stored after lastId
    if (choice) p.choice = choice;
    outbox.push(p);
    save('outbox', outbox);
    renderPending(p);
    start();
    flush();
  }
  function uid() {
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    return Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join('');
  }

  // Rendering. Text goes in with textContent only.
  function safeUrl(u) {
    if (!u || typeof u !== 'string') return '';
    try {
      var x = new URL(u, api + '/');
      return x.protocol === 'https:' || x.protocol === 'http:' ? x.href : '';
    } catch (e) { return ''; }
  }
  function who(a) { return T[a] || T.system; }
  function kind(a) { return a === 'customer' || a === 'bot' || a === 'agent' ? a : 'system'; }
  // The tree of a bot message: tags outside this set keep only their
  // content; text goes in as text nodes.
  var TAGS = { p: 'p', h: 'p', ul: 'ul', ol: 'ol', li: 'li', tr: 'tr', th: 'th', td: 'td', blockquote: 'blockquote',
    pre: 'pre', hr: 'hr', strong: 'strong', em: 'em', del: 'del', code: 'code', a: 'a', br: 'br', table: 'table' };
  function rich(parent, nodes, depth) {
    if (!Array.isArray(nodes) || depth > 30) return;
    nodes.forEach(function (n) {
      if (!n || typeof n !== 'object') return;
      var tag = TAGS[n.tag], href = n.tag === 'a' && safeUrl(n.href);
      if (!n.tag) return parent.appendChild(document.createTextNode(String(n.text || '')));
      if (!tag || (n.tag === 'a' && !href)) return rich(parent, n.children, depth + 1);
      var e = el(tag, n.tag === 'h' ? 'cjw-h' : null, n.tag === 'pre' || n.tag === 'code' ? String(n.text || '') : null);
      if (href) { e.href = href; e.target = '_blank'; e.rel = 'noopener noreferrer'; }
      if (n.tag === 'ol' && n.start > 1) e.start = +n.start;
      if (/^(left|center|right)$/.test(n.align)) e.style.textAlign = n.align;
      if (tag === 'table') {
        var head = el('thead'), body = el('tbody'), box = el('div', 'cjw-table');
        (n.children || []).forEach(function (r, i) {
          var th = r && r.children && r.children[0] && r.children[0].tag === 'th';
          if (r && r.tag === 'tr') rich(i === 0 && th ? head : body, [r], depth + 1);
        });
        if (head.firstChild) e.appendChild(head);
        e.appendChild(body);
        box.appendChild(e);
        return parent.appendChild(box);
      }
      rich(e, n.children, depth + 1);
      parent.appendChild(e);
    });
  }
  // Choices ("did you mean …?") are buttons; one click sends the choice
  // and disables them all, as does any later message of the visitor.
  function choices(list) {
    var box = el('div', 'cjw-choices');
    box.setAttribute('role', 'group');
    box.setAttribute('aria-label', T.choices);
    list.slice(0, 3).forEach(function (c) {
      if (!c || !c.id) return;
      var title = String(c.title || c.id), b = el('button', 'cjw-choice', title);
      b.type = 'button';
      b.setAttribute('aria-label', T.choose + title);
      b.addEventListener('click', function () {
        if (b.disabled) return;
        used(box, b);
        send(title, String(c.id));
        input.focus();
      });
      box.appendChild(b);
    });
    return box;
  }
  function used(box, chosen) {
    box.className += ' cjw-used';
    [].forEach.call(box.querySelectorAll('button'), function (b) {
      b.disabled = true;
      b.setAttribute('aria-pressed', String(b === chosen));
    });
  }
  function stale() {
    [].forEach.call(log.querySelectorAll('.cjw-choices:not(.cjw-used)'), function (box) {
      for (var n = box.parentNode.nextElementSibling; n; n = n.nextElementSibling) {
        if (n.classList.contains('cjw-customer')) return used(box, null);
      }
    });
  }
  function item(author, text, sources, m) {
    var li = el('li', 'cjw-msg cjw-' + kind(author));
    li.appendChild(el('span', 'cjw-sr', (author === 'customer' ? T.you : who(author)) + ': '));
    if (author === 'bot' && m && Array.isArray(m.content)) {
      var div = el('div', 'cjw-text cjw-md');
      rich(div, m.content, 0);
      li.appendChild(div);
    } else {
      li.appendChild(el('div', 'cjw-text', String(text == null ? '' : text)));
    }
    if (sources && sources.length) {
      var box = el('div', 'cjw-sources');
      box.appendChild(el('span', 'cjw-src-label', T.sources));
      var ul = el('ul');
      sources.forEach(function (s) {
        if (!s) return;
        var name = String(s.title || s.id || '');
        var href = safeUrl(s.url);
        var li2 = el('li');
        if (href) {
          var a = el('a', null, name);
          a.href = href;
          a.target = '_blank';
          a.rel = 'noopener noreferrer';
          li2.appendChild(a);
        } else {
          li2.appendChild(el('span', null, name));
        }
        ul.appendChild(li2);
      });
      box.appendChild(ul);
      li.appendChild(box);
    }
    if (author === 'bot' && m && Array.isArray(m.choices) && m.choices.length) li.insertBefore(choices(m.choices), li.querySelector('.cjw-sources'));
    return li;
  }
  // Server messages are kept in id order, above the messages still pending.
  function place(li, id) {
    var kids = log.children;
    for (var i = 0; i < kids.length; i++) {
      var k = kids[i];
      if (k.classList.contains('cjw-pending') || k.classList.contains('cjw-failed') ||
          (+k.getAttribute('data-id') > id)) {
        log.insertBefore(li, k);
        return;
      }
    }
    log.appendChild(li);
  }
  function show(m) {
    var li = item(m.author, m.text, m.sources, m);
    li.setAttribute('data-id', m.id);
    place(li, m.id);
    stale();
    var w = log.querySelector('.cjw-welcome');
    if (w) w.remove();
    if (loaded && panel.hidden && m.author !== 'customer') {
      bubble.classList.add('cjw-unread');
      bubble.setAttribute('aria-label', T.unread);
    }
    scroll();
  }
  function addMessages(list) {
    (list || []).forEach(function (m) {
      if (!m || typeof m.id !== 'number' || m.id <= 0) return;
      if (seen[m.id]) {
        // Shown from history before its post answered with the choices.
        var li = log.querySelector('[data-id="' + m.id + '"]');
        if (li && m.author === 'bot' && Array.isArray(m.choices) && m.choices.length && !li.querySelector('.cjw-choices')) {
          li.insertBefore(choices(m.choices), li.querySelector('.cjw-sources'));
          stale();
        }
        return;
      }
      if (m.id > lastId) lastId = m.id;
      // Our own message, still unacknowledged (maybe stored, its answer
      // lost): it is shown when the post answers with its id, so that it
      // never appears twice.
      if (m.author === 'customer' && outbox.some(function (q) { return q.text === m.text && m.id > (q.after || 0); })) return;
      seen[m.id] = true;
      show(m);
    });
  }
  function renderPending(p) {
    var li = item('customer', p.text);
    li.classList.add('cjw-pending');
    li.appendChild(el('div', 'cjw-state', T.pending));
    log.appendChild(li);
    pendingEl[p.cid] = li;
    stale();
    scroll();
  }
  function note(text, cls) {
    var li = item('system', text);
    if (cls) li.classList.add(cls);
    place(li, Infinity);
    scroll();
  }
  function scroll() { log.scrollTop = log.scrollHeight; }
  function setTyping(on) {
    typing.classList.toggle('cjw-on', on);
    typingText.textContent = on ? T.typing : '';
  }
  function setOnline(ok) {
    if (ok === !offline) return;
    offline = !ok;
    status.textContent = ok ? T.back : T.offline;
    status.classList.toggle('cjw-warn', !ok);
    if (ok) setTimeout(function () { if (!offline) status.textContent = ''; }, 3000);
  }

  // Network. Every failure is retried with backoff, except a refusal (4xx)
  // of a message, which is shown on that message.
  function retry(name, fn, after) {
    var d = delay[name] = Math.min((delay[name] || 500) * 2, 30000);
    setTimeout(fn, Math.max(after * 1000 || 0, d * (0.5 + Math.random() / 2)));
  }
  function ok(name) { delay[name] = 0; }
  function fail(r, j) {
    var e = new Error((j && j.error && j.error.message) || ('HTTP ' + r.status));
    e.status = r.status;
    e.retryAfter = +r.headers.get('Retry-After') || 0;
    e.permanent = r.status >= 400 && r.status < 500 && r.status !== 401 && r.status !== 408 && r.status !== 429;
    return e;
  }
  function call(method, path, body, token) {
    var h = { 'Content-Type': 'application/json' };
    if (token) h.Authorization = 'Bearer ' + token;
    return fetch(api + '/api/v1/widget' + path, {
      method: method, headers: h, body: body ? JSON.stringify(body) : undefined,
      credentials: 'omit', cache: 'no-store', mode: 'cors'
    }).then(function (r) {
      return r.json().catch(function () { return null; }).then(function (j) {
        if (!r.ok) throw fail(r, j);
        setOnline(true);
        return j;
      });
    }, function (err) {
      setOnline(false);
      var e = new Error('network: ' + err.message);
      e.network = true;
      throw e;
    });
  }
  function ensureSession() {
    if (session && session.exp - Date.now() > 864e5) return Promise.resolve(session);
    if (sessionReq) return sessionReq;
    var old = session && session.exp > Date.now() ? session.token : '';
    sessionReq = call('POST', '/session', old ? { token: old } : {}).then(function (j) {
      sessionReq = null;
      if (session && !j.renewed) reset();
      session = { token: j.token, exp: Date.parse(j.expires_at) };
      save('session', session);
      return session;
    }, function (e) { sessionReq = null; throw e; });
    return sessionReq;
  }
  function request(method, path, body) {
    return ensureSession().then(function (s) {
      return call(method, path, body, s.token).catch(function (e) {
        if (e.status === 401) { session = null; save('session', null); }
        throw e;
      });
    });
  }
  // A new visitor (the old session expired): the old conversation is gone.
  function reset() {
    seen = {};
    lastId = 0;
    Array.prototype.slice.call(log.querySelectorAll('[data-id]')).forEach(function (n) { n.remove(); });
  }

  function start() {
    if (started) return;
    started = true;
    request('GET', '/messages?limit=50').then(function (j) {
      ok('start');
      addMessages(j.messages);
      lastId = Math.max(lastId, j.last_id || 0);
      loaded = true;
      if (!log.children.length) {
        var w = item('bot', T.welcome);
        w.classList.add('cjw-welcome');
        log.appendChild(w);
      }
      poll();
      flush();
    }, function (e) {
      started = false;
      // A server without history still chats: send, and keep trying.
      if (e.status === 503 && !loaded) { loaded = true; flush(); }
      retry('start', start, e.retryAfter);
    });
  }
  function poll() {
    if (polling) return;
    polling = true;
    request('GET', '/messages?after=' + lastId + '&wait=25').then(function (j) {
      polling = false;
      ok('poll');
      addMessages(j.messages);
      lastId = Math.max(lastId, j.last_id || 0);
      setTimeout(poll, 0);
    }, function (e) {
      polling = false;
      retry('poll', poll, e.retryAfter);
    });
  }
  function flush() {
    if (inflight || !outbox.length || !loaded) return;
    var p = inflight = outbox[0];
    setTyping(true);
    request('POST', '/messages', { client_id: p.cid, text: p.text, choice: p.choice }).then(function (j) {
      ok('flush');
      done(p);
      var li = pendingEl[p.cid];
      delete pendingEl[p.cid];
      if (j.message && j.message.id > 0) {
        if (li) li.remove();
        addMessages([j.message]);
      } else if (li) {
        li.classList.remove('cjw-pending');
        li.removeChild(li.querySelector('.cjw-state'));
      }
      if (j.reply) addMessages([j.reply]);
      else if (j.handoff) note(T.handoff);
      flush();
    }, function (e) {
      if (!e.permanent) {
        inflight = null;
        setTyping(false);
        retry('flush', flush, e.retryAfter);
        return;
      }
      done(p);
      var li = pendingEl[p.cid];
      delete pendingEl[p.cid];
      if (li) {
        li.classList.remove('cjw-pending');
        li.classList.add('cjw-failed');
        li.querySelector('.cjw-state').textContent = T.failed + ': ' + e.message;
      }
      flush();
    });
  }
  function done(p) {
    inflight = null;
    setTyping(false);
    outbox = outbox.filter(function (q) { return q.cid !== p.cid; });
    save('outbox', outbox);
  }
  window.addEventListener('online', function () {
    if (!loaded) start();
    if (loaded) { poll(); flush(); }
  });

  function mount() {
    document.body.appendChild(root);
    outbox.forEach(renderPending);
    if (attr('open') === 'true' || load('open', false)) setOpen(true, true);
    else if (session || outbox.length) start(); // a returning visitor: listen for replies
  }
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount);

  // The page's handle on the widget. ask(text) opens the chat and sends
  // text as the visitor's message, as if typed and sent (a suggestion
  // button, a "questions about this product?" link); it returns false when
  // there is nothing to send.
  window.ConciergeWidget = {
    open: function () { setOpen(true); },
    close: function () { setOpen(false); },
    ask: function (text) {
      text = String(text == null ? '' : text).trim().slice(0, 4000);
      if (!text) return false;
      setOpen(true);
      send(text);
      return true;
    }
  };
})();
