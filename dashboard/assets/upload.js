/* The "Données" page: a drop zone around a file input, and the upload to POST /upload.
 *
 * Dash has no plain <input type="file"> (dcc.Upload sends files base64-encoded through a
 * callback), so this file adds one inside each [data-upload-zone] label the page draws. The
 * chosen files' names go to a dcc.Store (dash_clientside.set_props); the "Charger" button runs
 * `impactData.upload` (a clientside callback), which posts the files as multipart form data
 * with the session's CSRF token and returns the job's URL. No inline script, no eval (CSP). */
(function () {
  "use strict";

  var ZONE = "[data-upload-zone]";

  function zoneInput(zone) {
    return zone.querySelector("input[type=file]");
  }

  function addInputs() {
    var zones = document.querySelectorAll(ZONE);
    for (var i = 0; i < zones.length; i++) {
      var zone = zones[i];
      if (zoneInput(zone)) {
        continue;
      }
      var input = document.createElement("input");
      input.type = "file";
      input.multiple = true;
      input.name = "files";
      input.id = zone.getAttribute("data-input-id");
      input.accept = zone.getAttribute("data-accept") || "";
      input.className = "data-file-input";
      var help = zone.getAttribute("data-describedby");
      if (help) {
        input.setAttribute("aria-describedby", help);
      }
      zone.appendChild(input);
    }
  }

  function announce(zone, input) {
    var store = zone.getAttribute("data-files-store");
    var files = Array.prototype.map.call(input.files || [], function (f) {
      return {name: f.name, size: f.size};
    });
    if (store && window.dash_clientside && window.dash_clientside.set_props) {
      window.dash_clientside.set_props(store, {data: files});
    }
  }

  function zoneOf(target) {
    return target && target.closest ? target.closest(ZONE) : null;
  }

  document.addEventListener("change", function (event) {
    var zone = zoneOf(event.target);
    if (zone && event.target.type === "file") {
      announce(zone, event.target);
    }
  });

  ["dragenter", "dragover"].forEach(function (name) {
    document.addEventListener(name, function (event) {
      var zone = zoneOf(event.target);
      if (zone) {
        event.preventDefault();
        zone.classList.add("is-dragging");
      } else if (document.querySelector(ZONE)) {
        event.preventDefault();  // a file dropped beside the zone must not replace the page
      }
    });
  });

  document.addEventListener("dragleave", function (event) {
    var zone = zoneOf(event.target);
    if (zone && !zone.contains(event.relatedTarget)) {
      zone.classList.remove("is-dragging");
    }
  });

  document.addEventListener("drop", function (event) {
    var zone = zoneOf(event.target);
    if (!zone) {
      if (document.querySelector(ZONE)) {
        event.preventDefault();
      }
      return;
    }
    event.preventDefault();
    zone.classList.remove("is-dragging");
    var input = zoneInput(zone);
    if (input && event.dataTransfer && event.dataTransfer.files.length) {
      input.files = event.dataTransfer.files;
      announce(zone, input);
    }
  });

  // Dash draws the page after this file runs, and draws it again on a language change.
  new MutationObserver(addInputs).observe(document.documentElement,
                                          {childList: true, subtree: true});
  document.addEventListener("DOMContentLoaded", addInputs);

  function percent(value, lang) {
    return lang === "fr" ? value + "\u202f%" : value + "%";
  }

  function megabytes(bytes, lang) {
    var text = (bytes / 1048576).toFixed(1);
    return lang === "fr" ? text.replace(".", ",") + "\u202fMo" : text + " MB";
  }

  function setProps(id, props) {
    if (id && window.dash_clientside && window.dash_clientside.set_props) {
      window.dash_clientside.set_props(id, props);
    }
  }

  function withJob(param, jobId) {
    var params = new URLSearchParams(window.location.search);
    params.set(param, jobId);
    return "?" + params.toString();
  }

  function parse(text) {
    try {
      return JSON.parse(text);
    } catch (error) {
      return null;
    }
  }

  var lastRevealed = {};

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    impactData: {
      /* Post the chosen files; resolve to [URL search, status text, files store]. */
      upload: function (clicks, kind, wave, edition, config) {
        var noUpdate = window.dash_clientside.no_update;
        if (!clicks || !config) {
          return [noUpdate, noUpdate, noUpdate];
        }
        var texts = config.texts;
        var input = document.getElementById(config.input_id);
        var files = input && input.files ? Array.prototype.slice.call(input.files) : [];
        if (!files.length) {
          return [noUpdate, texts.no_file, noUpdate];
        }
        var total = files.reduce(function (sum, f) { return sum + f.size; }, 0);
        if (total > config.max_bytes) {
          return [noUpdate, texts.too_large.replace("{size}", megabytes(total, config.lang)),
                  noUpdate];
        }
        var form = new FormData();
        form.append("csrf_token", config.csrf || "");
        form.append("kind", kind || "auto");
        form.append("wave", wave || "");
        form.append("edition", edition || "");
        files.forEach(function (f) { form.append("files", f, f.name); });
        setProps(config.submit_id, {disabled: true});
        return new Promise(function (resolve) {
          var request = new XMLHttpRequest();  // not fetch: its upload progress is shown
          request.open("POST", config.url + "?lang=" + encodeURIComponent(config.lang));
          request.setRequestHeader("X-CSRF-Token", config.csrf || "");
          request.setRequestHeader("Accept", "application/json");
          request.upload.addEventListener("progress", function (event) {
            if (event.lengthComputable) {
              var value = Math.floor(100 * event.loaded / event.total);
              setProps(config.status_id,
                       {children: texts.sending.replace("{pct}", percent(value, config.lang))});
            }
          });
          request.addEventListener("load", function () {
            var body = parse(request.responseText);
            if (request.status === 202 && body && body.job_id) {
              input.value = "";
              resolve([withJob(config.job_param, body.job_id), texts.started, []]);
              return;
            }
            setProps(config.submit_id, {disabled: false});
            var message = request.status === 401 ? texts.session : (body && body.message);
            resolve([noUpdate, message ||
                     texts.failed.replace("{status}", String(request.status)), noUpdate]);
          });
          request.addEventListener("error", function () {
            setProps(config.submit_id, {disabled: false});
            resolve([noUpdate, texts.network, noUpdate]);
          });
          request.send(form);
        });
      },

      /* Bring a panel that has just opened (a new job, another batch) into view. */
      reveal: function () {
        var context = window.dash_clientside.callback_context;
        var triggered = context && context.triggered && context.triggered[0];
        if (!triggered) {
          return window.dash_clientside.no_update;
        }
        var id = triggered.prop_id.split(".")[0];
        var panel = document.getElementById(id);
        var section = panel && panel.querySelector("[data-reveal]");
        var key = section ? section.getAttribute("data-reveal") : null;
        if (key && lastRevealed[id] !== key) {
          lastRevealed[id] = key;
          var box = section.getBoundingClientRect();
          if (box.top < 0 || box.top > window.innerHeight - 80) {
            section.scrollIntoView({block: "start"});
          }
          var heading = section.querySelector("h2[tabindex]");
          if (heading && section.hasAttribute("data-reveal-focus")) {
            heading.focus({preventScroll: true});
          }
        } else if (!key) {
          lastRevealed[id] = null;
        }
        return window.dash_clientside.no_update;
      }
    }
  });
})();
