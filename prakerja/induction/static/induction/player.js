// CRD-2: the induction video player. The server decides what counts as
// watched (prakerja/induction/services.py: never faster than real time); this
// script keeps an honest player in step with it: no seeking past the furthest
// point played, no faster playback, and the position reported every 5 seconds
// and on play, pause and end. Texts come from the page (translated there).
(function () {
  "use strict";
  var video = document.getElementById("induction-video");
  if (!video || !window.fetch || !window.URLSearchParams) return;
  var url = video.getAttribute("data-progress-url");
  var duration = parseFloat(video.getAttribute("data-duration")) || 0;
  var accepted = parseFloat(video.getAttribute("data-accepted")) || 0;
  var complete = video.getAttribute("data-complete") === "true";
  var furthest = accepted; // the furthest point played here, or accepted by the server
  var bar = document.getElementById("induction-progress");
  var status = document.getElementById("induction-status");
  var done = document.getElementById("induction-done");
  var next = document.getElementById("induction-next");
  var tokenInput = document.querySelector("input[name=csrfmiddlewaretoken]");
  var token = tokenInput ? tokenInput.value : "";
  var sending = false, again = false, retries = 0;

  function say(text) { if (status && text) status.textContent = text; }

  function position() { return Math.min(furthest, duration || furthest).toFixed(3); }

  // Seeking back is fine; seeking ahead of what has played snaps back.
  video.addEventListener("seeking", function () {
    if (!complete && video.currentTime > furthest + 0.5) {
      video.currentTime = furthest;
      say(status.getAttribute("data-skip"));
    }
  });

  // Natural playback moves a quarter of a second at a time; anything bigger is a jump, not watching.
  video.addEventListener("timeupdate", function () {
    if (!video.seeking && video.currentTime > furthest && video.currentTime - furthest < 1.5) {
      furthest = video.currentTime;
    }
  });

  video.addEventListener("ratechange", function () {
    if (!complete && video.playbackRate > 1) video.playbackRate = 1;
  });

  video.addEventListener("loadedmetadata", function () {
    // Back where the server says this person was.
    if (!complete && accepted > 0 && accepted < (video.duration || duration) - 1) video.currentTime = accepted;
  });

  var retryTimer = null;

  function show(answer) {
    accepted = answer.accepted;
    if (accepted > furthest) furthest = accepted;
    if (bar) bar.value = accepted;
    say(status.getAttribute("data-saved").replace("%(done)s", Math.floor(accepted))
        .replace("%(total)s", answer.duration));
    if (answer.complete) {
      complete = true;
      if (next && answer.next_url) {
        next.href = answer.next_url;
        next.textContent = answer.next_title
          ? done.getAttribute("data-next-label").replace("%(title)s", answer.next_title)
          : done.getAttribute("data-dashboard-label");
      }
      if (done) done.hidden = false;
    } else if (video.ended && retries < 20 && !retryTimer) {
      // The server counts real time: at the end it may still be a few seconds behind.
      // One timer at a time: "pause" and "ended" both report at the end.
      retries += 1;
      retryTimer = setTimeout(function () { retryTimer = null; report(); }, 3000);
    }
  }

  function report() {
    if (complete) return;
    if (sending) { again = true; return; }
    sending = true;
    var body = new URLSearchParams();
    body.append("position", position());
    fetch(url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: {"X-CSRFToken": token, "Accept": "application/json"}
    }).then(function (response) {
      if (response.status === 429) return null; // too many at once: the next report catches up
      var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      if (!response.ok || !json) throw new Error("HTTP " + response.status);
      return response.json();
    }).then(function (answer) {
      if (answer) show(answer);
    }).catch(function () {
      say(status.getAttribute("data-failed"));
    }).then(function () {
      sending = false;
      if (again) { again = false; report(); }
    });
  }

  video.addEventListener("play", report); // starts the server's clock
  video.addEventListener("pause", report);
  video.addEventListener("ended", report);
  setInterval(function () { if (!video.paused && !video.ended) report(); }, 5000);

  // Leaving the page: one last report that survives the unload (the token goes in the body).
  window.addEventListener("pagehide", function () {
    if (complete || !navigator.sendBeacon) return;
    var body = new FormData();
    body.append("position", position());
    body.append("csrfmiddlewaretoken", token);
    navigator.sendBeacon(url, body);
  });
})();
