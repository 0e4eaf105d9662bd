/**
 * The labeling page's script (after CLIENT_COMMON): one task at a time, number
 * keys choose, Enter submits with one Idempotency-Key per submit action (the
 * submit's answer carries the next task: one request per item), s skips,
 * u goes back to the last submitted task to change its label.
 */
export const LABEL_SCRIPT = String.raw`
var current = null;       // { taskId, item, suggestion, undo, was } (the source is not shown: gold must not stand out)
var shownAt = 0;
var undoStack = [];       // submitted tasks, newest last: { taskId, item, label }
var retry = null;         // { sig, key }: a submit that never reached the server reuses its key

function present(task, preselect) {
  current = task;
  setState('ready');
  showItem(task.item);
  selectValue(preselect);
  var note = $('undo-note');
  note.hidden = !task.undo;
  note.textContent = task.undo ? 'Changing your label for the previous item (it was ' + fmt(task.was) + '). Choose a label and press Enter; Esc goes back.' : '';
  showSuggestion(task);
  app.dataset.taskId = String(task.taskId);
  shownAt = performance.now();
}

/**
 * Hook for the model's suggestion. Shown only when the project's
 * settings.showSuggestions is on AND the task carries a suggestion
 * ({ label, confidence? }); the API sends none yet, so nothing is shown.
 */
function showSuggestion(task) {
  var el = $('model-suggestion');
  var s = CFG.showSuggestions && !task.undo ? task.suggestion : null;
  if (!s || (typeof s.label !== 'string' && !Array.isArray(s.label))) {
    el.hidden = true;
    el.textContent = '';
    return;
  }
  el.textContent = 'Model suggestion: ' + fmt(s.label) + (typeof s.confidence === 'number' ? ' (' + Math.round(s.confidence * 100) + '%)' : '');
  el.hidden = false;
}

/** Shows a claimed task, or the "nothing left" state for null. */
function showTask(t) {
  if (!t) {
    current = null;
    delete app.dataset.taskId;
    setState('empty');
    return;
  }
  present({ taskId: t.taskId, item: t.item, suggestion: t.suggestion, undo: false });
}

async function fetchNext() {
  var r = await api('GET', '/projects/' + P + '/tasks/next');
  showTask(r.status === 204 ? null : r.data);
}

/** After a 409 (lease lost, task skipped) the message stays and the next task comes up. */
async function onConflict() {
  if (current && current.undo) undoStack.push({ taskId: current.taskId, item: current.item, label: current.was });
  await fetchNext();
}

async function refreshProgress() {
  try {
    var p = (await api('GET', '/projects/' + P + '/me/progress')).data;
    $('p-today').textContent = String(p.doneToday);
    $('p-left').textContent = String(p.queueLeft);
    var g = $('p-gold');
    g.textContent = p.gold.accuracy === null ? '–' : Math.round(p.gold.accuracy * 100) + '%';
    g.title = p.gold.answered + ' gold item' + (p.gold.answered === 1 ? '' : 's') + ' answered';
  } catch (err) {
    if (err && err.status === 401) fail(err);
  }
}

function submit() {
  if (busy) return;
  if (!current) { flash('Nothing to submit here.', 'info'); return; }
  var label = chosenLabel();
  if (label === null) { needLabelMessage(); return; }
  var task = current;
  var sig = task.taskId + ' ' + JSON.stringify(label);
  var key = retry && retry.sig === sig ? retry.key : uuid();
  var durationMs = Math.max(0, Math.min(86400000, Math.round(performance.now() - shownAt)));
  return run(async function () {
    var r;
    try {
      // ?next=true: the answer carries the next task (claimed in the same transaction), no second request
      r = await api('POST', '/tasks/' + task.taskId + '/annotation?next=true', { label: label, durationMs: durationMs }, { 'idempotency-key': key });
    } catch (err) {
      retry = err.status === 0 ? { sig: sig, key: key } : null;
      throw err;
    }
    retry = null;
    undoStack.push({ taskId: task.taskId, item: task.item, label: r.data.label });
    if (undoStack.length > 100) undoStack.shift();
    flash((task.undo ? 'Changed to ' : 'Saved: ') + fmt(r.data.label) + '. Press U to change it.', 'ok');
    refreshProgress();
    if (r.data && r.data.next !== undefined) showTask(r.data.next);
    else await fetchNext();
  });
}

function skip() {
  if (busy || !current) return;
  if (current.undo) { flash('That item is already labelled, so it cannot be skipped; choose a label or press Esc.', 'error'); return; }
  var task = current;
  return run(async function () {
    await api('POST', '/tasks/' + task.taskId + '/skip', {});
    flash('Skipped item ' + task.item.id + '.', 'info');
    refreshProgress();
    await fetchNext();
  });
}

function undo() {
  if (busy) return;
  if (current && current.undo) { flash('You are already changing your last label; choose one and press Enter, or Esc.', 'info'); return; }
  var last = undoStack.pop();
  if (!last) { flash('Nothing to undo yet: you have not submitted a label on this page.', 'info'); return; }
  present({ taskId: last.taskId, item: last.item, undo: true, was: last.label }, last.label);
  flash('', '');
}

function cancelUndo() {
  if (busy || !current || !current.undo) return;
  undoStack.push({ taskId: current.taskId, item: current.item, label: current.was });
  flash('', '');
  return run(fetchNext);
}

bindKeys({ enter: submit, s: skip, u: undo, escape: cancelUndo });
onClick($('submit'), submit);
onClick($('skip'), skip);
onClick($('undo'), undo);
refreshProgress();
run(fetchNext);
`;
