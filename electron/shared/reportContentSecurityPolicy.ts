// The policy of every HTML file Polytune writes (the experiment report, `compare --out x.html`): nothing but
// inline styles; no script, no request of any kind (the figures are inline SVG), so it opens offline.

export const reportContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";
