// Byline's story editor: live preview of the body and autosave of drafts. The page works
// without it; this only saves typing and clicks. Loaded from a file: the admin's CSP forbids
// inline scripts.
(function () {
  "use strict";
  var form = document.getElementById("editor");
  if (!form) return;
  var preview = document.getElementById("preview");
  var status = document.getElementById("autosave-status");
  var csrf = form.querySelector("input[name=csrf]").value;
  var previewTimer = null;
  var dirty = false;

  function body() {
    var data = new URLSearchParams();
    new FormData(form).forEach(function (value, key) { data.append(key, value); });
    return data;
  }

  function refreshPreview() {
    var data = new URLSearchParams();
    data.append("csrf", csrf);
    data.append("body", form.elements.body.value);
    data.append("body_format", form.querySelector("input[name=body_format]:checked").value);
    fetch(form.dataset.preview, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) { preview.innerHTML = html; })
      .catch(function () { /* the preview is a convenience; saving still works */ });
  }

  function schedulePreview() {
    dirty = true;
    clearTimeout(previewTimer);
    previewTimer = setTimeout(refreshPreview, 300);
  }

  function autosave() {
    if (!dirty || !form.dataset.story) return;
    dirty = false;
    fetch("/admin/stories/" + form.dataset.story + "/autosave", { method: "POST", body: body(), credentials: "same-origin" })
      .then(function (r) {
        if (r.status === 409) {
          status.textContent = "Someone else saved this story. Save to compare the two versions.";
          return null;
        }
        return r.ok ? r.json() : Promise.reject(r.status);
      })
      .then(function (saved) {
        if (!saved) return;
        form.elements.revision.value = saved.revision;
        status.textContent = "Draft saved at " + new Date().toLocaleTimeString() + ".";
      })
      .catch(function () { status.textContent = "Autosave failed; your text is still here. Save to keep it."; dirty = true; });
  }

  // Tell the server this story is open here, and show who else has it open.
  var presence = document.getElementById("presence");
  function heartbeat() {
    if (!form.dataset.story || !presence) return;
    var data = new URLSearchParams();
    data.append("csrf", csrf);
    fetch("/admin/stories/" + form.dataset.story + "/presence", { method: "POST", body: data, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (others) {
        presence.textContent = others.length ? "Also in this story now: " + others.join(", ") + "." : "";
      })
      .catch(function () { /* presence is informative only */ });
  }

  form.addEventListener("input", schedulePreview);
  form.addEventListener("change", schedulePreview);
  refreshPreview();
  setInterval(autosave, 15000);
  heartbeat();
  setInterval(heartbeat, 10000);
})();

// The media library: a click on the picture sets the focus crops keep in view (the fields
// stay, for keyboards and for pages without this script).
(function () {
  "use strict";
  var picture = document.querySelector(".library-picture img[data-focus]");
  var across = document.getElementById("focus_x");
  var down = document.getElementById("focus_y");
  if (!picture || !across || !down) return;
  picture.style.cursor = "crosshair";
  picture.addEventListener("click", function (event) {
    var box = picture.getBoundingClientRect();
    var percent = function (offset, size) {
      return Math.min(100, Math.max(0, Math.round((offset / size) * 1000) / 10));
    };
    across.value = percent(event.clientX - box.left, box.width);
    down.value = percent(event.clientY - box.top, box.height);
  });
})();
