/* /contribute: tabs, the forms generated from the shapes → Turtle, live validation against
   POST /validate, submission to POST /contributions. Vanilla JS, no remote fetch. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("contribute-config").textContent);
  var W = config.words;
  var LANG = config.lang;
  var RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
  var PREF = "http://www.w3.org/2004/02/skos/core#prefLabel";
  var RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label";
  var XSD = "http://www.w3.org/2001/XMLSchema#";
  var PREFIXES = {
    cld: "https://w3id.org/clusterld/ontology#",
    skos: "http://www.w3.org/2004/02/skos/core#",
    rdfs: "http://www.w3.org/2000/01/rdf-schema#",
    dcterms: "http://purl.org/dc/terms/",
    xsd: XSD
  };
  var KIND_CLASS = {  // the class of a new entity minted under {base}id/{kind}/
    org: "https://w3id.org/clusterld/ontology#Organisation",
    programme: "https://w3id.org/clusterld/ontology#Programme"
  };
  var counter = 0;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  // -- tabs ------------------------------------------------------------------------------------
  var tabs = document.querySelector(".tabs");
  function showTab(tab) {
    tabs.querySelectorAll("[role=tab]").forEach(function (t) {
      var on = t === tab;
      t.setAttribute("aria-selected", on ? "true" : "false");
      document.getElementById(t.getAttribute("aria-controls")).hidden = !on;
    });
  }
  tabs.hidden = false;
  tabs.querySelectorAll("[role=tab]").forEach(function (t) {
    t.addEventListener("click", function () { showTab(t); });
  });
  showTab(tabs.querySelector("[aria-selected=true]") || tabs.querySelector("[role=tab]"));

  // -- Turtle writing --------------------------------------------------------------------------
  function iri(value) {
    for (var p in PREFIXES) {
      var ns = PREFIXES[p];
      if (value.indexOf(ns) === 0 && /^[A-Za-z][A-Za-z0-9_-]*$/.test(value.slice(ns.length))) {
        return p + ":" + value.slice(ns.length);
      }
    }
    return "<" + value.replace(/[\u0000-\u0020<>"{}|^`\\]/g, function (c) {
      return encodeURIComponent(c);
    }) + ">";
  }
  function literal(text, lang, datatype) {
    var body = '"' + text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")
      .replace(/\r/g, "\\r").replace(/\t/g, "\\t") + '"';
    if (lang) { return body + "@" + lang; }
    if (datatype) { return body + "^^" + iri(datatype); }
    return body;
  }
  function slug(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 60) || "x";
  }
  function lastSegment(value) {
    return value.replace(/[/#]+$/, "").split(/[/#]/).pop();
  }
  function dateType(text) {
    if (/^\d{4}$/.test(text)) { return XSD + "gYear"; }
    if (/^\d{4}-\d{2}$/.test(text)) { return XSD + "gYearMonth"; }
    return XSD + "date";
  }

  // Triples grouped by subject, in the order they were first written.
  function Writer() { this.order = []; this.bySubject = {}; }
  Writer.prototype.add = function (s, p, o) {
    var subject = iri(s);
    var line = (p === RDF_TYPE ? "a" : iri(p)) + " " + o;
    if (!this.bySubject[subject]) { this.bySubject[subject] = []; this.order.push(subject); }
    if (this.bySubject[subject].indexOf(line) < 0) { this.bySubject[subject].push(line); }
  };
  Writer.prototype.text = function () {
    if (!this.order.length) { return ""; }
    var head = Object.keys(PREFIXES).map(function (p) {
      return "@prefix " + p + ": <" + PREFIXES[p] + "> .";
    });
    var self = this;
    var blocks = this.order.map(function (subject) {
      return subject + "\n    " + self.bySubject[subject].join(" ;\n    ") + " .";
    });
    return head.join("\n") + "\n\n" + blocks.join("\n\n") + "\n";
  };

  // An entity picker's value: the IRI of the entity picked, or a new entity minted from the text.
  function entityValue(input, cfg, w) {
    var text = input.value.trim();
    if (!text) { return null; }
    if (/^https?:\/\/\S+$/.test(text)) { return text; }
    var known = (input._choices || {})[text];
    if (known) { return known; }
    var kind = cfg.kind || "org";
    var node = config.base + "id/" + kind + "/" + slug(text);
    var cls = KIND_CLASS[kind] && cfg.cls && /#(Agent|Organisation|Plan)$/.test(cfg.cls)
      ? KIND_CLASS[kind] : cfg.cls;
    if (cls) { w.add(node, RDF_TYPE, iri(cls)); }
    w.add(node, PREF, literal(text, LANG));
    w.add(node, RDFS_LABEL, literal(text, LANG));
    return node;
  }

  // The RDF terms of one field: [{term, raw, input}] (raw: the IRI or text, for minting IRIs).
  function fieldValues(fieldEl, cfg, w) {
    var out = [];
    fieldEl.querySelectorAll(".value").forEach(function (box) {
      var input = box.querySelector("[data-role=value]");
      if (!input) { return; }
      var text = input.value.trim();
      if (!text) { return; }
      if (cfg.widget === "entity") {
        var node = entityValue(input, cfg, w);
        input.dataset.iri = node;
        out.push({term: iri(node), raw: node, input: input});
      } else if (cfg.widget === "select") {
        out.push({term: iri(text), raw: text, input: input});
      } else if (cfg.widget === "langtext") {
        var lang = box.querySelector("[data-role=lang]");
        out.push({term: literal(text, lang ? lang.value : LANG), raw: text, input: input});
      } else if (cfg.widget === "date") {
        out.push({term: literal(text, null, dateType(text)), raw: text, input: input});
      } else {
        out.push({term: literal(text), raw: text, input: input});
      }
    });
    return out;
  }

  function mint(template, owner, values) {
    return template.replace("{base}", config.base).replace("{owner}", owner)
      .replace(/\{slug:([^}]+)\}/g, function (_, path) {
        var v = values[path];
        return v && v.length ? slug(lastSegment(v[0].raw)) : "x";
      });
  }

  // Turn one case's form into Turtle; tag each field element with the node it describes.
  function buildTurtle(form, kase) {
    var w = new Writer();
    var owner = null;
    kase.groups.forEach(function (g, gi) {
      form.querySelectorAll('fieldset.group[data-group="' + g.key + '"]').forEach(function (fs) {
        var values = {};
        var fields = {};
        g.fields.forEach(function (f) {
          var fieldEl = fs.querySelector('.field[data-key="' + f.key + '"]');
          fields[f.key] = fieldEl;
          values[f.path] = fieldValues(fieldEl, f, w);
        });
        var node = null;
        if (g.subject) {
          var subjectEl = fs.querySelector('.field[data-key="' + g.subject.key + '"]');
          var picked = fieldValues(subjectEl, g.subject, w);
          if (!picked.length) { return; }
          node = picked[0].raw;
          subjectEl.dataset.node = node;
        } else if (gi === 0) {
          var title = values[PREF] && values[PREF].length ? values[PREF][0].raw : "";
          if (!title) { return; }
          var type = fs.querySelector("[data-role=type]");
          var cls = type ? type.value : g.cls;
          node = config.base + "id/" + g.kind + "/" + slug(title);
          w.add(node, RDF_TYPE, iri(cls));
          var typeEl = fs.querySelector('.field[data-widget="type"]');
          if (typeEl) { typeEl.dataset.node = node; }
        } else {
          var any = Object.keys(values).some(function (p) { return values[p].length; });
          if (!any || !owner) { return; }
          node = mint(g.iri, owner, values);
          w.add(owner, g.link, iri(node));
          w.add(node, RDF_TYPE, iri(g.cls));
        }
        if (gi === 0) { owner = node; }
        g.fields.forEach(function (f) {
          fields[f.key].dataset.node = node;
          values[f.path].forEach(function (v) {
            w.add(node, f.path, v.term);
            if (f.path === PREF && v.term.indexOf('"@') > 0) { w.add(node, RDFS_LABEL, v.term); }
          });
        });
      });
    });
    return w.text();
  }

  // -- messages ------------------------------------------------------------------------------
  function resultItem(r, withContext) {
    var li = el("li", {"class": "sev-" + (r.severity || "Violation")});
    li.appendChild(el("span", {"class": "message"}, r.message));
    if (withContext) {
      var parts = [];
      if (r.focusLabel) { parts.push(W.focus + " : " + r.focusLabel); }
      if (r.pathLabel) { parts.push(W.path + " : " + r.pathLabel); }
      if (r.valueLabel) { parts.push(W.value + " : " + r.valueLabel); }
      if (parts.length) { li.appendChild(el("span", {"class": "context"}, " (" + parts.join(" · ") + ")")); }
    } else if (r.valueLabel) {
      li.appendChild(el("span", {"class": "context"}, " (" + r.valueLabel + ")"));
    }
    return li;
  }

  function clearMessages(form) {
    form.querySelectorAll(".messages").forEach(function (ul) { ul.textContent = ""; });
    form.querySelectorAll(".field").forEach(function (f) { f.classList.remove("invalid"); });
    form.querySelectorAll("[aria-invalid]").forEach(function (i) { i.removeAttribute("aria-invalid"); });
  }

  function placeResults(form, report) {
    clearMessages(form);
    var summary = form.querySelector(".summary");
    summary.textContent = "";
    var fields = Array.prototype.slice.call(form.querySelectorAll(".field[data-path]"));
    var loose = [];
    report.results.forEach(function (r) {
      // beside the field of the result's property on the result's node; else, for a result
      // about an entity named in a picker (e.g. a new one), beside that picker
      var matches = r.path ? fields.filter(function (f) {
        return f.dataset.path === r.path && f.dataset.node === r.focus;
      }) : [];
      if (!matches.length) {
        matches = fields.filter(function (f) {
          return Array.prototype.some.call(f.querySelectorAll("input.entity"), function (i) {
            return i.value.trim() && i.dataset.iri === r.focus;
          });
        });
      }
      if (!matches.length) { loose.push(r); return; }
      matches.forEach(function (f) {
        f.classList.add("invalid");
        f.querySelector(".messages").appendChild(resultItem(r, false));
        f.querySelectorAll("[data-role=value]").forEach(function (i) { i.setAttribute("aria-invalid", "true"); });
      });
    });
    if (report.conforms) {
      summary.appendChild(el("p", {"class": "contrib-ok"}, W.conforms + " (" + report.triples + " " + W.triples + ")"));
    } else if (loose.length) {
      summary.appendChild(el("p", {"class": "contrib-bad"}, W.not_conforms));
      var ul = el("ul", {"class": "report"});
      loose.forEach(function (r) { ul.appendChild(resultItem(r, true)); });
      summary.appendChild(ul);
    } else {
      summary.appendChild(el("p", {"class": "contrib-bad"}, W.not_conforms));
    }
  }

  function showError(box, status, body) {
    box.textContent = "";
    var div = el("div", {"class": "contrib-error", role: "alert"});
    if (status === 413) {
      div.appendChild(el("p", null, W.too_large + (body && body.message ? " " + body.message : "")));
    } else {
      var head = el("p");
      head.appendChild(el("strong", null, status === 400 ? W.error : W.failed + " (" + status + ")"));
      if (body && body.line) {
        head.appendChild(document.createTextNode(" (" + W.line + " "));
        head.appendChild(el("span", {"class": "err-line"}, String(body.line)));
        if (body.column) { head.appendChild(document.createTextNode(", " + W.column + " " + body.column)); }
        head.appendChild(document.createTextNode(")"));
      }
      div.appendChild(head);
      div.appendChild(el("p", {"class": "err-reason"}, body ? (body.message || body.error || "") : ""));
    }
    box.appendChild(div);
  }

  function reportBox(box, report) {
    box.textContent = "";
    if (report.conforms) {
      box.appendChild(el("p", {"class": "contrib-ok", role: "status"}, W.conforms + " (" + report.triples + " " + W.triples + ")"));
      return;
    }
    box.appendChild(el("p", {"class": "contrib-bad"}, W.not_conforms));
    var ul = el("ul", {"class": "report"});
    report.results.forEach(function (r) { ul.appendChild(resultItem(r, true)); });
    box.appendChild(ul);
  }

  function received(box, body) {
    box.textContent = "";
    var div = el("div", {"class": "contrib-ok received", role: "status"});
    div.appendChild(el("p", null, W.received));
    var dl = el("dl");
    dl.appendChild(el("dt", null, W.id));
    dl.appendChild(el("dd", {"class": "contribution-id"}, body.id));
    dl.appendChild(el("dt", null, W.status));
    dl.appendChild(el("dd", {"class": "contribution-status"}, body.status));
    div.appendChild(dl);
    box.appendChild(div);
  }

  function post(url, body, headers) {
    var sep = url.indexOf("?") < 0 ? "?" : "&";
    return fetch(url + sep + "lang=" + encodeURIComponent(LANG), {
      method: "POST", body: body, headers: Object.assign({Accept: "application/json"}, headers || {})
    }).then(function (response) {
      return response.text().then(function (text) {
        var json = null;
        try { json = JSON.parse(text); } catch (e) { json = {message: text}; }
        return {status: response.status, body: json};
      });
    });
  }

  // -- entity pickers: suggestions from the reconciliation service ---------------------------
  function suggest(input, cls, done) {
    var text = input.value.trim();
    if (!text || /^https?:/.test(text)) { return; }
    var url = "/reconcile/suggest/entity?limit=12&lang=" + LANG + "&prefix=" + encodeURIComponent(text) +
      (cls ? "&type=" + encodeURIComponent(cls) : "");
    fetch(url, {headers: {Accept: "application/json"}}).then(function (r) { return r.json(); })
      .then(function (answer) {
        var list = document.getElementById(input.getAttribute("list"));
        if (!list) { return; }
        input._choices = input._choices || {};
        list.textContent = "";
        (answer.result || []).forEach(function (c) {
          input._choices[c.name] = c.id;
          list.appendChild(el("option", {value: c.name, label: c.description || c.id}));
        });
        done();
      }).catch(function () { /* no suggestions: the text makes a new entity */ });
  }

  // -- the forms -----------------------------------------------------------------------------
  function renumber(root) {
    counter += 1;
    var suffix = "-n" + counter;
    var ids = {};
    root.querySelectorAll("[id]").forEach(function (node) {
      ids[node.id] = node.id + suffix;
      node.id = node.id + suffix;
    });
    root.querySelectorAll("[for],[list],[aria-describedby]").forEach(function (node) {
      ["for", "list", "aria-describedby"].forEach(function (a) {
        var v = node.getAttribute(a);
        if (v) { node.setAttribute(a, v.split(" ").map(function (x) { return ids[x] || x; }).join(" ")); }
      });
    });
  }
  function clearInputs(root) {
    root.querySelectorAll("input, textarea").forEach(function (i) {
      i.value = ""; i._choices = {}; delete i.dataset.iri;
    });
    root.querySelectorAll("select[data-role=value]").forEach(function (s) { s.value = ""; });
    root.querySelectorAll("datalist").forEach(function (d) { d.textContent = ""; });
  }

  config.cases.forEach(function (kase) {
    var form = document.getElementById("case-" + kase.name);
    var preview = document.getElementById("preview-" + kase.name);
    var summary = form.querySelector(".summary");
    var outcome = form.querySelector(".outcome");
    var timer = null;
    var sequence = 0;
    var turtle = "";

    function refresh() {
      turtle = buildTurtle(form, kase);
      preview.textContent = turtle;
      return turtle;
    }
    function validateNow() {
      refresh();
      if (!turtle) { clearMessages(form); summary.textContent = W.empty; return; }
      var mine = ++sequence;
      summary.setAttribute("aria-busy", "true");
      post("/validate", turtle, {"Content-Type": "text/turtle; charset=utf-8"}).then(function (answer) {
        if (mine !== sequence) { return; }
        summary.removeAttribute("aria-busy");
        if (answer.status === 200) { placeResults(form, answer.body); }
        else { clearMessages(form); showError(summary, answer.status, answer.body); }
      }).catch(function (e) { if (mine === sequence) { showError(summary, 0, {message: String(e)}); } });
    }
    function schedule() {
      refresh();
      clearTimeout(timer);
      timer = setTimeout(validateNow, 400);
    }

    form.addEventListener("input", function (event) {
      var t = event.target;
      if (t.classList && t.classList.contains("entity")) {
        var fieldEl = t.closest(".field");
        clearTimeout(t._suggestTimer);
        t._suggestTimer = setTimeout(function () {
          suggest(t, fieldEl.dataset.cls || entityClass(kase, fieldEl.dataset.key), schedule);
        }, 150);
      }
      schedule();
    });
    form.addEventListener("change", schedule);
    form.addEventListener("click", function (event) {
      var t = event.target;
      if (t.classList.contains("add-value")) {
        var fieldEl = t.closest(".field");
        var boxes = fieldEl.querySelectorAll(".value");
        var copy = boxes[boxes.length - 1].cloneNode(true);
        renumber(copy);
        clearInputs(copy);
        fieldEl.querySelector(".values").appendChild(copy);
        fieldEl.querySelectorAll(".remove-value").forEach(function (b) { b.hidden = false; });
        copy.querySelector("[data-role=value]").focus();
      } else if (t.classList.contains("remove-value")) {
        var field = t.closest(".field");
        if (field.querySelectorAll(".value").length > 1) { t.closest(".value").remove(); }
        if (field.querySelectorAll(".value").length < 2) {
          field.querySelectorAll(".remove-value").forEach(function (b) { b.hidden = true; });
        }
        schedule();
      } else if (t.classList.contains("add-group")) {
        var groups = form.querySelectorAll('fieldset.group[data-group="' + t.dataset.group + '"]');
        var last = groups[groups.length - 1];
        var clone = last.cloneNode(true);
        renumber(clone);
        clearInputs(clone);
        clone.querySelectorAll(".messages").forEach(function (ul) { ul.textContent = ""; });
        last.after(clone);
        form.querySelectorAll('fieldset.group[data-group="' + t.dataset.group + '"] .remove-group')
          .forEach(function (b) { b.hidden = false; });
      } else if (t.classList.contains("remove-group")) {
        var fs = t.closest("fieldset.group");
        var same = form.querySelectorAll('fieldset.group[data-group="' + fs.dataset.group + '"]');
        if (same.length > 1) { fs.remove(); }
        schedule();
      }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      refresh();
      if (!turtle) { summary.textContent = W.empty; return; }
      var data = new FormData();
      data.append("data", turtle);
      data.append("format", "turtle");
      ["author", "source", "comment"].forEach(function (name) {
        var v = form.querySelector("[name=" + name + "]").value.trim();
        if (v) { data.append(name, v); }
      });
      outcome.textContent = W.checking;
      post("/contributions", data).then(function (answer) {
        if (answer.status === 201) { received(outcome, answer.body); }
        else if (answer.status === 422) {
          outcome.textContent = "";
          outcome.appendChild(el("p", {"class": "contrib-bad"}, W.rejected));
          placeResults(form, answer.body);
        } else { showError(outcome, answer.status, answer.body); }
      }).catch(function (e) { showError(outcome, 0, {message: String(e)}); });
    });
    refresh();
  });

  // The value class of an entity picker, from the case's configuration.
  function entityClass(kase, key) {
    var found = null;
    kase.groups.forEach(function (g) {
      (g.subject ? [g.subject] : []).concat(g.fields).forEach(function (f) {
        if (f.key === key) { found = f.cls; }
      });
    });
    return found;
  }

  document.querySelectorAll("input[name=case]").forEach(function (radio) {
    radio.addEventListener("change", function () {
      document.querySelectorAll(".case-form").forEach(function (f) {
        f.hidden = f.dataset.case !== radio.value;
      });
    });
  });

  // -- the paste/upload tab ------------------------------------------------------------------
  var pasteForm = document.getElementById("paste-form");
  var pasteResults = document.getElementById("paste-results");
  var pasteSubmit = document.getElementById("paste-submit");
  function pasteData(withMeta) {
    var data = new FormData();
    var file = document.getElementById("paste-file").files[0];
    if (file) { data.append("file", file); } else { data.append("data", document.getElementById("paste-data").value); }
    data.append("format", document.getElementById("paste-format").value);
    if (withMeta) {
      ["author", "source", "comment"].forEach(function (name) {
        var v = pasteForm.querySelector("[name=" + name + "]").value.trim();
        if (v) { data.append(name, v); }
      });
    }
    return data;
  }
  pasteForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var sending = event.submitter === pasteSubmit;
    pasteResults.textContent = W.checking;
    post(sending ? "/contributions" : "/validate", pasteData(sending)).then(function (answer) {
      if (sending && answer.status === 201) { received(pasteResults, answer.body); }
      else if (answer.status === (sending ? 422 : 200)) { reportBox(pasteResults, answer.body); }
      else { showError(pasteResults, answer.status, answer.body); }
    }).catch(function (e) { showError(pasteResults, 0, {message: String(e)}); });
  });
}());
