/**
 * Browser script shared by the labeling and review pages: plain JS in a string
 * (no build step). Rules: item data only ever reaches the DOM through
 * textContent or DOM properties, never innerHTML. No backticks or template
 * placeholders in here (this is a TypeScript template literal).
 */
export const CLIENT_COMMON = String.raw`
'use strict';
var CFG = JSON.parse(document.getElementById('cfg').textContent);
var $ = function (id) { return document.getElementById(id); };
var P = encodeURIComponent(CFG.project);
var app = $('app');
var buttons = Array.prototype.slice.call(document.querySelectorAll('#labels .lbl'));
var selected = new Set();
var busy = false;

function uuid() {
  if (window.crypto && typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  // crypto.randomUUID needs a secure context; getRandomValues does not
  var b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
  var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join('');
  return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20);
}

/** Same-origin API call with the session cookie; throws an Error carrying the problem+json detail. */
async function api(method, path, body, headers) {
  var h = { accept: 'application/json, application/problem+json' };
  if (body !== undefined) h['content-type'] = 'application/json';
  if (headers) for (var k in headers) h[k] = headers[k];
  var res;
  try {
    res = await fetch('/api/v1' + path, { method: method, headers: h, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    var net = new Error('The server could not be reached; check your connection and try again.');
    net.status = 0;
    throw net;
  }
  if (res.status === 204) return { status: 204, data: null };
  var text = await res.text();
  var data = null;
  try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
  if (!res.ok) {
    var err = new Error(data && typeof data.detail === 'string' ? data.detail : 'The server answered ' + res.status + '.');
    err.status = res.status;
    err.problem = data;
    throw err;
  }
  return { status: res.status, data: data };
}

function flash(text, kind) {
  var m = $('msg');
  m.textContent = text || '';
  m.className = text ? (kind || 'info') : '';
  delete m.dataset.need;
}

function fail(err) {
  if (err && err.status === 401) {
    location.assign('/signin?next=' + encodeURIComponent(location.pathname));
    return;
  }
  var detail = err && err.message ? err.message : String(err);
  var extra = err && err.problem && Array.isArray(err.problem.errors) ? err.problem.errors.map(function (e) { return e.message; }).filter(function (m) { return m && detail.indexOf(m) < 0; }) : [];
  flash(detail + (extra.length ? ' (' + extra.join('; ') + ')' : ''), 'error');
}

/** Runs one action at a time: a second Enter while a request is in flight does nothing. */
async function run(fn) {
  if (busy) return;
  setBusy(true);
  try {
    await fn();
  } catch (err) {
    fail(err);
    if (err && err.status === 409 && typeof onConflict === 'function') {
      try { await onConflict(); } catch (e2) { fail(e2); }
    }
  } finally {
    setBusy(false);
  }
}

function setBusy(on) {
  busy = on;
  app.setAttribute('aria-busy', on ? 'true' : 'false');
  Array.prototype.forEach.call(document.querySelectorAll('#actions button'), function (b) { b.disabled = on; });
}

function fmt(label) {
  if (Array.isArray(label)) return label.length ? label.join(' + ') : '(no label)';
  return String(label);
}

function setState(state) {
  app.dataset.state = state;
  var empty = state === 'empty';
  $('empty').hidden = !empty;
  $('card').hidden = empty;
  $('labels').hidden = empty;
  $('actions').hidden = empty;
}

var IMAGE_KEYS = ['image_url', 'imageUrl', 'image'];
function imageUrl(meta) {
  if (!meta || typeof meta !== 'object') return null;
  for (var i = 0; i < IMAGE_KEYS.length; i++) {
    var v = meta[IMAGE_KEYS[i]];
    if (typeof v !== 'string') continue;
    try {
      var u = new URL(v);
      if (u.protocol === 'http:' || u.protocol === 'https:') return u.href;
    } catch (e) { /* not an absolute URL */ }
  }
  return null;
}

/** Text, or the meta fields as a key/value list when there is no text; an http(s) image from meta. */
function showItem(item) {
  $('item-id').textContent = item.id;
  var hasText = typeof item.text === 'string' && item.text.length > 0;
  var text = $('item-text');
  text.textContent = hasText ? item.text : '';
  text.hidden = !hasText;
  var dl = $('item-meta');
  dl.replaceChildren();
  var entries = !hasText && item.meta && typeof item.meta === 'object' ? Object.entries(item.meta) : [];
  entries.forEach(function (kv) {
    var dt = document.createElement('dt');
    dt.textContent = kv[0];
    var dd = document.createElement('dd');
    dd.textContent = typeof kv[1] === 'string' ? kv[1] : JSON.stringify(kv[1]);
    dl.append(dt, dd);
  });
  dl.hidden = entries.length === 0;
  var img = $('item-image');
  var url = imageUrl(item.meta);
  $('item-image-note').hidden = true;
  if (url) {
    img.referrerPolicy = 'no-referrer';
    img.src = url;
    img.hidden = false;
  } else {
    img.removeAttribute('src');
    img.hidden = true;
  }
  if (!hasText && entries.length === 0 && !url) {
    text.textContent = '(this item has no text)';
    text.hidden = false;
  }
}

function renderSelection() {
  buttons.forEach(function (b, i) {
    var on = selected.has(i);
    b.classList.toggle('on', on);
    b.setAttribute('aria-pressed', on ? 'true' : 'false');
  });
}

function selectValue(value) {
  var list = value === undefined || value === null ? [] : Array.isArray(value) ? value : [value];
  selected = new Set(list.map(function (l) { return CFG.labels.indexOf(l); }).filter(function (i) { return i >= 0; }));
  renderSelection();
}

function choose(i) {
  if (busy || i < 0 || i >= CFG.labels.length || app.dataset.state !== 'ready') return;
  if (CFG.multiLabel) {
    if (selected.has(i)) selected.delete(i); else selected.add(i);
  } else {
    selected = new Set([i]);
  }
  renderSelection();
  if ($('msg').dataset.need) flash('', '');
}

/** The chosen label: a string (single-label; null when none), or the set in project order (multi-label). */
function chosenLabel() {
  var idx = Array.from(selected).sort(function (a, b) { return a - b; });
  if (CFG.multiLabel) return idx.map(function (i) { return CFG.labels[i]; });
  return idx.length === 1 ? CFG.labels[idx[0]] : null;
}

function needLabelMessage() {
  var n = Math.min(CFG.labels.length, 9);
  flash('Choose a label first: press 1' + (n > 1 ? '–' + n : '') + ' or click one.', 'error');
  $('msg').dataset.need = '1';
}

var helpReturn = null;
/** Opens or closes the help; closing gives the focus back to where it was (or to the page). */
function toggleHelp(force) {
  var help = $('help');
  var show = typeof force === 'boolean' ? force : help.hidden;
  if (show === !help.hidden) return;
  if (show) {
    var a = document.activeElement;
    helpReturn = a && a !== document.body ? a : null;
    help.hidden = false;
    $('help-close').focus();
  } else {
    help.hidden = true;
    if (helpReturn && document.contains(helpReturn)) helpReturn.focus();
    else if (document.activeElement && document.activeElement.blur) document.activeElement.blur();
    helpReturn = null;
  }
}

/** A mouse click must not leave the focus on a button, where the next Enter would press it again. */
function onClick(el, fn) {
  el.addEventListener('click', function (e) {
    if (e.detail > 0 && el.blur) el.blur();
    fn();
  });
}

/** keys: { enter, escape, s, u, ... }; numbers always choose, ? always toggles the help. */
function bindKeys(keys) {
  document.addEventListener('keydown', function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
    var t = e.target;
    if (t && t.closest && t.closest('input, textarea, select, [contenteditable]')) return;
    var k = e.key;
    if (k === '?') { e.preventDefault(); toggleHelp(); return; }
    if (k === 'Escape') {
      if (!$('help').hidden) { e.preventDefault(); toggleHelp(false); return; }
      if (keys.escape) { e.preventDefault(); keys.escape(); }
      return;
    }
    if (!$('help').hidden) return;
    if (/^[1-9]$/.test(k)) { e.preventDefault(); choose(Number(k) - 1); return; }
    if (k === 'Enter') {
      // a focused link or action button keeps its own Enter (Skip, Sign out, Back…)
      if (t && t.closest && t.closest('a, header, #actions, #empty, #help-btn')) return;
      e.preventDefault();
      if (!e.repeat) keys.enter();
      return;
    }
    var fn = keys[k.toLowerCase()];
    if (typeof fn === 'function' && k.length === 1) { e.preventDefault(); fn(); }
  });
  buttons.forEach(function (b, i) { b.addEventListener('click', function () { choose(i); }); });
  $('item-image').addEventListener('error', function () {
    var img = $('item-image');
    if (!img.getAttribute('src')) return;
    img.hidden = true;
    var note = $('item-image-note');
    note.textContent = 'The image could not be loaded: ' + img.src;
    note.hidden = false;
  });
  onClick($('help-btn'), function () { toggleHelp(); });
  onClick($('help-close'), function () { toggleHelp(false); });
  $('help').addEventListener('click', function (e) { if (e.target === $('help')) toggleHelp(false); });
}
`;
