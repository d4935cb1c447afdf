// Loaded first in <body>: marks the page as having JavaScript, as GOV.UK Frontend expects. Kept in a
// file (not inline) so the Content-Security-Policy can forbid inline script.
document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');
