/* The query editor: YASGUI bound to this server's /sparql endpoint.
   Configuration comes from the page (#editor-config); nothing is fetched from elsewhere. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("editor-config").textContent);
  var endpoint = new URL(config.endpoint, window.location.href).href;

  // Only the autocompleters that work offline (LOV look-ups would leave the site).
  Yasgui.Yasqe.defaults.autocompleters = ["prefixes", "variables", "keywords"].filter(
    function (name) { return name in (Yasgui.Yasqe.Autocompleters || {}); });

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
  window.clusterldEditor = { yasgui: yasgui, firstTab: first, endpoint: endpoint };
})();
