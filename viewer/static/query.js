// The query page's editor: YASGUI, served from this app, talking only to this app's endpoint.
(function () {
  "use strict";
  var element = document.getElementById("yasgui");
  if (!element || typeof Yasgui === "undefined") { return; }
  // No completion from outside services (prefix.cc, Linked Open Vocabularies): the page works offline.
  Yasgui.Yasqe.defaults.autocompleters = ["variables"];
  var scrolled = window.scrollY;
  var yasgui = new Yasgui(element, {
    // Absolute: YASGUI builds a URL object from it, which a bare path fails, hiding the server's error message.
    requestConfig: { endpoint: new URL(element.dataset.endpoint, window.location.href).href, method: "POST" },
    copyEndpointOnNewTab: false,
    showEndpointButton: false,
    endpointCatalogueOptions: { getData: function () { return []; } },
    persistenceId: null
  });
  yasgui.getTab().setQuery(element.dataset.query);
  // YASGUI focuses its editor as it opens, which scrolls the page past a saved query's results:
  // the page stays where it was, and the editor waits to be clicked.
  var editor = element.querySelector("textarea");
  if (editor && document.activeElement === editor && window.scrollY !== scrolled) {
    editor.blur();
    window.scrollTo(0, scrolled);
  }
}());
