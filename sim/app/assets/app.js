/* teamsim workshop page: a banner when the server is gone, and arrow keys between views. */
(function () {
  var misses = 0;
  function banner(show) {
    var b = document.getElementById('server-gone');
    if (b) { b.hidden = !show; }
    document.body.classList.toggle('server-gone-page', show);
  }
  function beat() {
    var ctl = new AbortController();
    var timer = setTimeout(function () { ctl.abort(); }, 1500);
    fetch('/_teamsim/health', {cache: 'no-store', signal: ctl.signal})
      .then(function (r) { clearTimeout(timer); misses = r.ok ? 0 : misses + 1; banner(misses >= 2); })
      .catch(function () { clearTimeout(timer); misses += 1; banner(misses >= 2); });
  }
  setInterval(beat, 1000);

  document.addEventListener('keydown', function (e) {
    var t = e.target;
    var typing = t && ((t.tagName === 'INPUT' && !/^(checkbox|radio|button)$/.test(t.type)) ||
                       t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable);
    var native = t && (t.getAttribute('role') === 'slider' || (t.type === 'radio'));  // keys of their own
    if (typing || native) { return; }
    var step = {ArrowRight: 1, PageDown: 1, ArrowLeft: -1, PageUp: -1}[e.key];
    if (!step) { return; }
    var radios = Array.prototype.slice.call(document.querySelectorAll('#view input[type=radio]'));
    if (!radios.length) { return; }
    var i = radios.findIndex(function (r) { return r.checked; });
    var next = radios[(i + step + radios.length) % radios.length];
    next.click();
    e.preventDefault();
  });
})();

/* Slider tooltips of shares read as percentages. */
window.dccFunctions = window.dccFunctions || {};
window.dccFunctions.asPercent = function (v) { return (Math.round(v * 1000) / 10) + '%'; };
