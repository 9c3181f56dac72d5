/* The query editor: YASGUI bound to this server's /sparql endpoint.
   Configuration comes from the page (#editor-config); nothing is fetched from elsewhere. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("editor-config").textContent);
  var endpoint = new URL(config.endpoint, window.location.href).href;

  // Only the autocompleters that work offline (LOV look-ups would leave the site).
  Yasgui.Yasqe.defaults.autocompleters = ["prefixes", "variables", "keywords"].filter(
    function (name) { return name in (Yasgui.Yasqe.Autocompleters || {}); });

  // Our prefixes first in the PREFIX autocompletion (the bundled list follows).
  var ours = Object.keys(config.prefixes || {}).map(function (p) {
    return p + ": <" + config.prefixes[p] + ">";
  });
  var prefixCompleter = (Yasgui.Yasqe.Autocompleters || {}).prefixes;
  if (prefixCompleter) {
    var bundled = prefixCompleter.get;
    prefixCompleter.persistenceId = "clusterld-prefixes";
    prefixCompleter.get = function () {
      return Promise.resolve(bundled.apply(this, arguments)).then(function (list) {
        return ours.concat((list || []).filter(function (x) {
          return !Object.prototype.hasOwnProperty.call(config.prefixes, x.split(":")[0]);
        }));
      });
    };
  }

  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    autoAddOnInit: false,
    persistenceId: null,
    populateFromUrl: false,
    endpointCatalogueOptions: {
      getData: function () { return [{ endpoint: endpoint }]; },
      keys: [],
    },
    yasqe: { value: config.query },
  });

  var examples = {};
  (config.examples || []).forEach(function (e) { examples[e.name] = e; });

  function openTab(name, query, active) {
    var tab = yasgui.addTab(active, {
      name: name,
      yasqe: { value: query },
      requestConfig: Object.assign({}, yasgui.config.requestConfig, { endpoint: endpoint }),
    });
    if (active) { yasgui.selectTabId(tab.getId()); }
    return tab;
  }

  // Drop whatever YASGUI restored, then open ours.
  Object.keys(yasgui._tabs || {}).forEach(function (id) { yasgui.getTab(id).close(); });
  var first = config.open && examples[config.open]
    ? openTab(config.open, examples[config.open].query, true)
    : openTab("Query", config.query, true);

  var select = document.getElementById("example-select");
  var openButton = document.getElementById("example-open");
  if (select && openButton) {
    openButton.addEventListener("click", function () {
      var e = examples[select.value];
      if (e) { openTab(e.name, e.query, true); }
    });
  }
  var addPrefixes = document.getElementById("add-prefixes");
  if (addPrefixes) {
    addPrefixes.addEventListener("click", function () {
      var tab = yasgui.getTab();
      if (tab) { tab.getYasqe().addPrefixes(config.prefixes); }
    });
  }
  window.clusterldEditor = { yasgui: yasgui, firstTab: first, endpoint: endpoint };
})();
