// Ticks the visible countdown. The server owns the clock: when it reaches
// zero the page reloads, and the server submits the answers given so far.
(function () {
  var el = document.querySelector("[data-countdown]");
  if (!el) return;
  var end = Date.now() + parseInt(el.getAttribute("data-countdown"), 10) * 1000;
  var tick = function () {
    var left = Math.max(0, Math.round((end - Date.now()) / 1000));
    el.textContent = left;
    if (left === 0) { window.location.reload(); return; }
    setTimeout(tick, 1000);
  };
  tick();
})();
