/**
 * The review page's script (after CLIENT_COMMON): a disputed item with the
 * anonymised conflicting labels; number keys choose the final label, Enter
 * resolves, then the next disputed item comes up.
 */
export const REVIEW_SCRIPT = String.raw`
var current = null;       // { reviewId, item, labels }
var resolvedHere = 0;

function renderVotes(labels) {
  var list = $('votes');
  list.replaceChildren();
  var byLabel = new Map();
  labels.forEach(function (v) {
    var li = document.createElement('li');
    var who = document.createElement('b');
    who.textContent = 'Annotator ' + v.annotator;
    var what = document.createElement('span');
    what.textContent = fmt(v.label);
    li.append(who, what);
    list.append(li);
    (Array.isArray(v.label) ? v.label : [v.label]).forEach(function (l) {
      if (!byLabel.has(l)) byLabel.set(l, []);
      byLabel.get(l).push(v.annotator);
    });
  });
  buttons.forEach(function (b, i) {
    var old = b.querySelector('.votes-on');
    if (old) old.remove();
    var who = byLabel.get(CFG.labels[i]);
    if (who) {
      var badge = document.createElement('span');
      badge.className = 'votes-on';
      badge.textContent = who.join(', ');
      badge.title = 'chosen by annotator ' + who.join(', ');
      b.append(badge);
    }
  });
}

function present(review) {
  current = review;
  setState('ready');
  showItem(review.item);
  renderVotes(review.labels);
  selectValue(null);
  app.dataset.reviewId = String(review.reviewId);
}

async function fetchNext() {
  var r = await api('GET', '/projects/' + P + '/review/next');
  if (r.status === 204) {
    current = null;
    delete app.dataset.reviewId;
    setState('empty');
    return;
  }
  present(r.data);
}

/** A 409 (already resolved by someone else): the message stays, the next item comes up. */
async function onConflict() {
  await fetchNext();
}

function resolve() {
  if (busy || !current) return;
  var label = chosenLabel();
  if (label === null) { needLabelMessage(); return; }
  var review = current;
  return run(async function () {
    var r = await api('POST', '/reviews/' + review.reviewId + '/resolve', { label: label });
    resolvedHere += 1;
    $('r-count').textContent = String(resolvedHere);
    flash('Resolved item ' + review.item.id + ' as ' + fmt(r.data.label) + '.', 'ok');
    await fetchNext();
  });
}

bindKeys({ enter: resolve });
onClick($('submit'), resolve);
run(fetchNext);
`;
