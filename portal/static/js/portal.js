// Starts GOV.UK Frontend's components (error summary focus, password show/hide, menus). Every task in
// the portal also works without JavaScript.
import { initAll } from '/static/build/govuk/govuk-frontend.min.js'

initAll()
