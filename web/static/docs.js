// /docs: renders /openapi.json with swagger-ui (its bundle is copied from
// npm's swagger-ui-dist into this directory at build time; no CDN).
(function () {
  var el = document.getElementById('swagger-ui');
  if (!el || typeof window.SwaggerUIBundle !== 'function') return;
  window.SwaggerUIBundle({
    url: el.getAttribute('data-url'),
    dom_id: '#swagger-ui',
    deepLinking: true,
    // sections start folded: the whole document drawn open at once is more
    // than the renderer draws (it stops after the first section)
    docExpansion: 'none',
    tryItOutEnabled: false,
    validatorUrl: null,
  });
})();
