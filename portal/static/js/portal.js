// Starts GOV.UK Frontend's components (error summary focus, password show/hide, conditional questions,
// menus). Every task in the portal also works without JavaScript.
import { initAll } from '/static/build/govuk/govuk-frontend.min.js'

initAll()

// GOV.UK Frontend marks a radio button that reveals a follow-up question with aria-expanded, which
// ARIA does not allow on a radio (alphagov/govuk-frontend#979; axe-core reports it as a critical
// failure). The revealed question follows its radio directly and the radio keeps aria-controls, so
// the attribute is taken off again whenever the component sets it.
const radios = document.querySelectorAll('input[type="radio"][aria-controls]')
const dropExpanded = (radio) => radio.removeAttribute('aria-expanded')
radios.forEach(dropExpanded)
const observer = new MutationObserver((changes) => {
  changes.forEach((change) => {
    if (change.target.hasAttribute('aria-expanded')) dropExpanded(change.target)
  })
})
radios.forEach((radio) => observer.observe(radio, { attributes: true, attributeFilter: ['aria-expanded'] }))
