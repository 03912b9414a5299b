// Renders the OpenAPI document named by #redoc's data-spec-url with Redoc (redoc.standalone.js, loaded
// before this file), and marks <html data-docs> "rendered" or "error" when Redoc is done. Everything
// comes from the callstore server: the page's Content-Security-Policy allows nothing else.
(function () {
  'use strict';
  var el = document.getElementById('redoc');
  var nav = document.querySelector('.docs-nav');
  document.documentElement.dataset.docs = 'loading';
  if (typeof Redoc === 'undefined') {
    document.documentElement.dataset.docs = 'error';
    el.textContent = 'The viewer (docs/assets/redoc.standalone.js) did not load.';
    return;
  }
  Redoc.init(el.dataset.specUrl, {
    scrollYOffset: function () { return nav.offsetHeight; },
    expandResponses: '200,201',
    jsonSampleExpandLevel: 3,
    hideHostname: true,
    sortPropsAlphabetically: false,
    theme: {
      typography: {
        fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
        headings: { fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif' },
        code: { fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace' }
      }
    }
  }, el, function (err) {
    document.documentElement.dataset.docs = err ? 'error' : 'rendered';
  });
})();
