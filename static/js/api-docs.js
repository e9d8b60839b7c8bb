// The API's documentation page (templates/api/docs.html): Swagger UI reads the schema
// from the address the page gives it. A file, not an inline script, for the CSP.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const element = document.getElementById("swagger-ui");
  window.ui = window.SwaggerUIBundle({
    url: element.dataset.schemaUrl,
    domNode: element,
    deepLinking: true,
    // The docs describe the API; trying calls out needs a token the reader pastes in.
    persistAuthorization: false,
  });
});
