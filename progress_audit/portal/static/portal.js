// The unit page's few conveniences; everything works without them.
(function () {
  "use strict";
  // Countdown to the due time (报送截止), from the server's clock at page load.
  var c = document.getElementById("countdown");
  if (c && c.dataset.due) {
    var due = Date.parse(c.dataset.due), skew = Date.parse(c.dataset.now) - Date.now();
    var tick = function () {
      var left = due - (Date.now() + skew);
      if (left <= 0) { c.textContent = "（已过截止时间，现在上传为逾期报送）"; return; }
      var d = Math.floor(left / 86400000), h = Math.floor(left / 3600000) % 24,
          m = Math.floor(left / 60000) % 60;
      c.textContent = "（还剩 " + (d ? d + " 天 " : "") + h + " 小时 " + m + " 分）";
      setTimeout(tick, 30000);
    };
    tick();
  }
  // Drag and drop a workbook anywhere on the drop zone: it is uploaded at once.
  var drop = document.getElementById("drop"), input = document.getElementById("file"),
      form = document.getElementById("upload");
  if (drop && input && form) {
    ["dragenter", "dragover"].forEach(function (e) {
      drop.addEventListener(e, function (ev) { ev.preventDefault(); drop.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (e) {
      drop.addEventListener(e, function () { drop.classList.remove("over"); });
    });
    drop.addEventListener("drop", function (ev) {
      ev.preventDefault();
      if (ev.dataTransfer && ev.dataTransfer.files.length) {
        input.files = ev.dataTransfer.files;
        form.submit();
      }
    });
  }
  // A receipt still being checked: ask for it (after half a second, when a rush's other
  // uploads have been received), held by the server until the checks have joined it (or for
  // at most 25 s, then ask again), and show it as soon as they have.
  var r = document.getElementById("receipt");
  if (r && r.dataset.checking === "yes") {
    var poll = function () {
      fetch(r.dataset.poll + "?wait=25", { headers: { Accept: "application/json" } })
        .then(function (res) { return res.json(); })
        .then(function (doc) {
          if (doc.checking) { setTimeout(poll, 100); } else { location.replace(r.dataset.poll); }
        })
        .catch(function () { setTimeout(poll, 3000); });
    };
    setTimeout(poll, 500);
  }
  // The office's run: ask for its state, held by the server until the run ends (or for at
  // most 25 s, then ask again), and show the reports as soon as it has ended.
  var run = document.getElementById("run-state");
  if (run && run.dataset.state === "running") {
    var follow = function () {
      fetch(run.dataset.poll + "?wait=25", {
        headers: { Accept: "application/json" }, credentials: "same-origin"
      })
        .then(function (res) { return res.json(); })
        .then(function (doc) {
          if (doc.state === "running") { run.textContent = doc.label; follow(); }
          else { location.reload(); }
        })
        .catch(function () { setTimeout(follow, 5000); });
    };
    follow();
  }
})();
