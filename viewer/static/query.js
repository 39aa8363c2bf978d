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
  // Accessibility mends of YASGUI's own markup (axe-core, in tests/test_viewer_pages.py), here and only here:
  // one tab is all this page uses, so no "add tab" button inside the tab list (a tablist holds tabs only);
  // its text fields get names; the editor's scrolling area can be reached from the keyboard.
  var adding = element.querySelector(".tabsList .addTab");
  if (adding) { adding.parentElement.remove(); }
  element.querySelectorAll("input.autocomplete").forEach(function (input) { input.setAttribute("aria-label", "SPARQL endpoint"); });
  element.querySelectorAll(".tabsList input[type=text]").forEach(function (input) { input.setAttribute("aria-label", "Tab name"); });
  element.querySelectorAll(".CodeMirror textarea").forEach(function (input) { input.setAttribute("aria-label", "SPARQL query"); });
  element.querySelectorAll(".CodeMirror-scroll").forEach(function (area) {
    area.setAttribute("tabindex", "0");
    area.setAttribute("aria-label", "The query");
  });
  // YASGUI focuses its editor as it opens, which scrolls the page past a saved query's results:
  // the page stays where it was, and the editor waits to be clicked.
  var editor = element.querySelector("textarea");
  if (editor && document.activeElement === editor && window.scrollY !== scrolled) {
    editor.blur();
    window.scrollTo(0, scrolled);
  }
}());
