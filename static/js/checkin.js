// Event check-in page: scan ticket QR codes with the phone's rear camera (vendored jsQR, no CDN).
// No inline scripts and no eval (CSP). The typed-code form works without this file: htmx posts it in place,
// and without htmx it is a plain form. A decoded code is put in the form and submitted the same way.
(function () {
  "use strict";

  // The same code is sent again only once it has been out of view for 2 s: a ticket held in front of the camera
  // checks in once, and its green answer is not replaced by an amber "already checked in" a moment later.
  var SAME_CODE_PAUSE_MS = 2000;
  var DECODE_EVERY_MS = 120; // ~8 decodes a second is plenty and spares the phone's battery
  var MAX_SIDE = 640; // frames are scaled down before decoding

  function init() {
    var root = document.getElementById("checkin");
    var form = document.getElementById("checkin-form");
    if (!root || !form) { return; }
    var codeInput = form.querySelector("[name=code]");
    var result = document.getElementById("checkin-result");
    var startBtn = document.getElementById("camera-start");
    var stopBtn = document.getElementById("camera-stop");
    var panel = document.getElementById("camera-panel");
    var video = document.getElementById("camera-video");
    var message = document.getElementById("camera-message");
    var canvas = document.createElement("canvas");
    var ctx = canvas.getContext("2d", { willReadFrequently: true });
    var stream = null;
    var lastCode = null;
    var lastCodeAt = 0;
    var lastDecodeAt = 0;
    var waiting = false; // a scan is on its way to the server
    var waitingSince = 0;
    var WAIT_LIMIT_MS = 10000; // no answer at all (request never sent): scan again after this

    function say(key) {
      if (!key) { message.hidden = true; message.textContent = ""; return; }
      message.textContent = root.getAttribute("data-msg-" + key) || "";
      message.hidden = false;
    }

    function feedback() {
      var answer = result.querySelector("[data-outcome]");
      if (!answer || !navigator.vibrate) { return; }
      var outcome = answer.getAttribute("data-outcome");
      if (outcome === "checked_in") { navigator.vibrate(120); }
      else if (outcome !== "ready") { navigator.vibrate([120, 80, 120, 80, 120]); }
    }

    // After each answer: empty the code box for the next ticket (keep the keyboard away while scanning).
    document.body.addEventListener("htmx:afterRequest", function (event) {
      if (event.detail.elt !== form) { return; }
      waiting = false;
      if (event.detail.successful) {
        codeInput.value = "";
        feedback();
        if (!stream) { codeInput.focus(); }
      } else {
        say("network");
      }
    });
    // A signed-out session answers polls and scans with the sign-in page: reload instead of swapping it in.
    document.body.addEventListener("htmx:beforeSwap", function (event) {
      var url = event.detail.xhr && event.detail.xhr.responseURL;
      if (url && url.indexOf("/account/login") !== -1) {
        event.detail.shouldSwap = false;
        window.location.reload();
      }
    });

    function submitCode(code) {
      codeInput.value = code;
      waiting = true;
      waitingSince = Date.now();
      if (window.htmx) {
        window.htmx.trigger(form, "submit");
        return;
      }
      // htmx failed to load: post it ourselves rather than navigating away from the running camera
      var body = new FormData(form);
      fetch(form.action, {
        method: "POST", body: body, credentials: "same-origin",
        headers: { "HX-Request": "true", "X-CSRFToken": body.get("csrf_token") || "" }
      }).then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      }).then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        result.replaceChildren.apply(result, Array.prototype.slice.call(doc.body.childNodes));
        codeInput.value = "";
        feedback();
      }).catch(function () { say("network"); }).then(function () { waiting = false; });
    }

    function tick(now) {
      if (!stream) { return; }
      window.requestAnimationFrame(tick);
      if (waiting && Date.now() - waitingSince > WAIT_LIMIT_MS) { waiting = false; }
      if (waiting || now - lastDecodeAt < DECODE_EVERY_MS || video.readyState < video.HAVE_ENOUGH_DATA) { return; }
      lastDecodeAt = now;
      var scale = Math.min(1, MAX_SIDE / Math.max(video.videoWidth, video.videoHeight));
      var w = Math.round(video.videoWidth * scale);
      var h = Math.round(video.videoHeight * scale);
      if (!w || !h) { return; }
      canvas.width = w;
      canvas.height = h;
      ctx.drawImage(video, 0, 0, w, h);
      var found = window.jsQR(ctx.getImageData(0, 0, w, h).data, w, h, { inversionAttempts: "dontInvert" });
      var code = found && found.data ? found.data.trim() : "";
      if (!code) { return; }
      var at = Date.now();
      if (code === lastCode && at - lastCodeAt < SAME_CODE_PAUSE_MS) { lastCodeAt = at; return; }
      lastCode = code;
      lastCodeAt = at;
      submitCode(code);
    }

    function stop() {
      if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); }
      stream = null;
      video.srcObject = null;
      panel.hidden = true;
      startBtn.hidden = false;
      say(null);
    }

    function failed(error) {
      stop();
      var name = error && error.name;
      if (name === "NotAllowedError" || name === "SecurityError" || name === "PermissionDeniedError") { say("denied"); }
      else if (name === "NotFoundError" || name === "OverconstrainedError" || name === "DevicesNotFoundError") { say("nocamera"); }
      else if (name === "NotReadableError" || name === "TrackStartError") { say("busy"); }
      else { say("failed"); }
    }

    function start() {
      startBtn.hidden = true;
      say("starting");
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
        .then(function (media) {
          stream = media;
          video.srcObject = media;
          video.setAttribute("playsinline", "");
          panel.hidden = false;
          return video.play();
        })
        .then(function () {
          say("scanning");
          lastCode = null;
          window.requestAnimationFrame(tick);
        })
        .catch(failed);
    }

    if (!window.isSecureContext) { say("insecure"); return; }
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || typeof window.jsQR !== "function") {
      say("unsupported");
      return;
    }
    startBtn.hidden = false;
    startBtn.addEventListener("click", start);
    stopBtn.addEventListener("click", stop);
    // a phone put away (tab hidden) releases the camera
    document.addEventListener("visibilitychange", function () { if (document.hidden && stream) { stop(); } });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
