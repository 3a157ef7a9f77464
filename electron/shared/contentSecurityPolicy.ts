// The one CSP of the UI, sent by the app:// protocol and by `polytune serve`, so it holds even if index.html's <meta> is edited away.
// style-src needs 'unsafe-inline': Observable Plot (docs/decisions/0007) puts a <style> element in each
// chart. Scripts stay 'self' only.
export const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");
