// The query page's editor: YASGUI, served from this app, talking only to this app's endpoint.
(function () {
  "use strict";
  var element = document.getElementById("yasgui");
  if (!element || typeof Yasgui === "undefined") { return; }
  // No completion from outside services (prefix.cc, Linked Open Vocabularies): the page works offline.
  Yasgui.Yasqe.defaults.autocompleters = ["variables"];
  var yasgui = new Yasgui(element, {
    requestConfig: { endpoint: element.dataset.endpoint, method: "POST" },
    copyEndpointOnNewTab: false,
    showEndpointButton: false,
    endpointCatalogueOptions: { getData: function () { return []; } },
    persistenceId: null
  });
  yasgui.getTab().setQuery(element.dataset.query);
}());
