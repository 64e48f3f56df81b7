// Notewell: progressive enhancement only; every page works without this file.
// - review page: focusing or hovering a sentence (or a nudge's "Show in text") highlights its
//   evidence in the session text (data-evidence="start-end start-end" → .seg[data-start][data-end]);
// - new-session page: PHQ-9/GAD-7/PCL-5 item forms score as they are filled (POST /api/measures/score)
//   and the nudges update as the clinician types, debounced (POST /api/nudges).
(function () {
  "use strict";
  var csrf = document.body.getAttribute("data-csrf") || "";

  function spans(attr) {
    return (attr || "").split(" ").filter(Boolean).map(function (p) {
      var ab = p.split("-");
      return [parseInt(ab[0], 10), parseInt(ab[1], 10)];
    });
  }

  function highlight(attr, scroll) {
    var segs = document.querySelectorAll("#source-text .seg");
    var wanted = spans(attr);
    var first = null;
    segs.forEach(function (seg) {
      var s = parseInt(seg.getAttribute("data-start"), 10);
      var e = parseInt(seg.getAttribute("data-end"), 10);
      var on = wanted.some(function (w) { return w[0] <= s && e <= w[1]; });
      seg.classList.toggle("hl", on);
      if (on && !first) { first = seg; }
    });
    if (scroll && first) { first.scrollIntoView({ block: "center" }); }
  }

  document.querySelectorAll(".sentence[data-evidence], .nudge[data-evidence]").forEach(function (el) {
    var attr = el.getAttribute("data-evidence");
    el.addEventListener("mouseenter", function () { highlight(attr, false); });
    el.addEventListener("focus", function () { highlight(attr, true); });
  });
  document.querySelectorAll("a.show-evidence[data-evidence]").forEach(function (a) {
    a.addEventListener("click", function () { highlight(a.getAttribute("data-evidence"), true); });
    a.addEventListener("focus", function () { highlight(a.getAttribute("data-evidence"), false); });
  });

  function post(url, body, json) {
    var headers = { "X-CSRF-Token": csrf };
    if (json) { headers["Content-Type"] = "application/json"; }
    return fetch(url, { method: "POST", headers: headers, body: body, credentials: "same-origin" })
      .then(function (r) { return r.json().then(function (data) { return { ok: r.ok, data: data }; }); });
  }

  // Scores as you fill a form.
  document.querySelectorAll("fieldset.measure").forEach(function (fs) {
    var name = fs.getAttribute("data-instrument");
    var count = parseInt(fs.getAttribute("data-count"), 10);
    var out = document.getElementById("score-" + name);
    function update() {
      var items = Array.prototype.map.call(fs.querySelectorAll("select.item"), function (s) { return s.value; });
      var done = items.filter(function (v) { return v !== ""; });
      if (done.length === 0) { out.textContent = "Not filled in."; return; }
      if (done.length < count) { out.textContent = done.length + " of " + count + " answered"; return; }
      post("/api/measures/score", JSON.stringify({ instrument: name, items: items.map(Number) }), true)
        .then(function (r) {
          if (!r.ok) { out.textContent = r.data.error || "Cannot score"; return; }
          var flags = r.data.flags.length ? " · " + r.data.flags.join(", ").replace(/_/g, " ") : "";
          out.textContent = name + " total " + r.data.total + (r.data.band ? " (" + r.data.band + ")" : "") + flags;
        });
    }
    fs.addEventListener("change", update);
    update();
  });

  // Nudges as you type (debounced), on the unsaved form.
  var form = document.getElementById("session-form");
  if (form) {
    var list = document.getElementById("live-nudges");
    var status = document.getElementById("live-status");
    var timer = null;
    var seq = 0;
    function refresh() {
      var text = document.getElementById("text").value;
      if (!text.trim()) { list.textContent = ""; status.textContent = "Start typing to see what a reviewer would ask for."; return; }
      var mine = ++seq;
      status.textContent = "Checking…";
      var body = new URLSearchParams(new FormData(form));
      post(form.getAttribute("data-nudges-url"), body, false).then(function (r) {
        if (mine !== seq) { return; }
        list.textContent = "";
        if (!r.ok) { status.textContent = r.data.error || "Cannot check yet"; return; }
        status.textContent = r.data.nudges.length ? r.data.nudges.length + " nudge(s) to close before drafting" : "No nudges.";
        r.data.nudges.forEach(function (n) {
          var li = document.createElement("li");
          li.className = "nudge " + n.severity;
          li.setAttribute("data-code", n.code);
          var p = document.createElement("p");
          p.textContent = n.message;
          var fix = document.createElement("p");
          fix.className = "nudge-fix";
          fix.textContent = "Fix: " + n.fix;
          li.appendChild(p); li.appendChild(fix);
          list.appendChild(li);
        });
      }).catch(function () { status.textContent = "Cannot reach the server"; });
    }
    form.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(refresh, 600); });
    form.addEventListener("change", function () { clearTimeout(timer); timer = setTimeout(refresh, 600); });
    refresh();
  }
})();
