// Safety maps: place a marker by tapping or clicking the map, or with the keyboard (the map takes focus;
// the arrow keys move a crosshair, Shift + arrow moves it further, Enter or Space puts the marker there).
// It fills the same grid-square select the page has without JavaScript, plus the point (x and y, as
// fractions of the image) and how it was placed. Loaded only on the map pages.

const SVG = 'http://www.w3.org/2000/svg'
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'
const SMALL_STEP = 0.01
const BIG_STEP = 0.1

const clamp = (value) => Math.min(1, Math.max(0, value))
const round = (value) => Number(clamp(value).toFixed(4))
// SVG elements have no ``hidden`` property: their visibility attribute does that job.
const show = (element, visible) => element.setAttribute('visibility', visible ? 'visible' : 'hidden')

function svgElement (name, attributes) {
  const element = document.createElementNS(SVG, name)
  Object.entries(attributes).forEach(([key, value]) => element.setAttribute(key, value))
  return element
}

function setUp (map, form) {
  const canvas = map.querySelector('.app-map__canvas')
  const overlay = map.querySelector('.app-map__overlay')
  const box = overlay.viewBox.baseVal
  const columns = Number(map.dataset.columns)
  const rows = Number(map.dataset.rows)
  const scale = Number(map.dataset.markerScale)
  const select = form.elements.square
  const x = form.elements.x
  const y = form.elements.y
  const method = form.elements.method
  const status = document.getElementById('map-status')
  let cursor = { x: 0.5, y: 0.5 }

  const squareAt = (px, py) => [Math.min(Math.floor(px * columns), columns - 1), Math.min(Math.floor(py * rows), rows - 1)]
  const label = ([column, row]) => `${LETTERS[column]}${row + 1}`
  const parse = (text) => {
    const match = /^([A-Z])(\d{1,2})$/.exec(text || '')
    return match ? [LETTERS.indexOf(match[1]), Number(match[2]) - 1] : null
  }
  const at = (px, py) => `translate(${px * box.width} ${py * box.height}) scale(${scale})`

  const preview = svgElement('g', { class: 'app-marker app-marker--preview', 'aria-hidden': 'true' })
  preview.appendChild(svgElement('use', { href: '#app-marker-preview' }))
  show(preview, false)
  const crosshair = svgElement('g', { class: 'app-map__crosshair', 'aria-hidden': 'true' })
  crosshair.appendChild(svgElement('line', { x1: -30, y1: 0, x2: 30, y2: 0 }))
  crosshair.appendChild(svgElement('line', { x1: 0, y1: -30, x2: 0, y2: 30 }))
  crosshair.appendChild(svgElement('circle', { r: 12 }))
  show(crosshair, false)
  overlay.append(preview, crosshair)

  const announce = (text) => { status.textContent = text }
  const showPreview = (px, py) => {
    preview.setAttribute('transform', at(px, py))
    show(preview, true)
  }
  const drawCrosshair = () => crosshair.setAttribute('transform', at(cursor.x, cursor.y))

  function place (px, py, how) {
    px = round(px)
    py = round(py)
    cursor = { x: px, y: py }
    x.value = px.toFixed(4)
    y.value = py.toFixed(4)
    method.value = how
    const square = label(squareAt(px, py))
    select.value = square
    showPreview(px, py)
    drawCrosshair()
    announce(`Marker put in square ${square}. Now say whether this place feels safe or unsafe.`)
    const firstAnswer = form.querySelector('input[name="safety"]')
    if (firstAnswer) firstAnswer.focus()
  }

  canvas.tabIndex = 0
  canvas.setAttribute('role', 'application')
  canvas.setAttribute('aria-label', 'Map. Use the arrow keys to move the crosshair, then press Enter to put the marker there.')
  canvas.setAttribute('aria-describedby', 'map-instructions')

  canvas.addEventListener('click', (event) => {
    const rect = overlay.getBoundingClientRect()
    if (!rect.width || !rect.height) return
    place((event.clientX - rect.left) / rect.width, (event.clientY - rect.top) / rect.height, 'pointer')
  })

  canvas.addEventListener('keydown', (event) => {
    const step = event.shiftKey ? BIG_STEP : SMALL_STEP
    const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] }
    if (moves[event.key]) {
      event.preventDefault()
      const [dx, dy] = moves[event.key]
      cursor = { x: round(cursor.x + dx), y: round(cursor.y + dy) }
      drawCrosshair()
      announce(`Crosshair in square ${label(squareAt(cursor.x, cursor.y))}`)
    } else if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault()
      place(cursor.x, cursor.y, 'keyboard')
    }
  })

  canvas.addEventListener('focus', () => {
    drawCrosshair()
    show(crosshair, true)
    announce(`Crosshair in square ${label(squareAt(cursor.x, cursor.y))}`)
  })
  canvas.addEventListener('blur', () => show(crosshair, false))

  // Choosing a square in the list places the marker at its centre, as the page does without JavaScript.
  select.addEventListener('change', () => {
    x.value = ''
    y.value = ''
    method.value = 'grid'
    const square = parse(select.value)
    if (!square) {
      show(preview, false)
      return
    }
    cursor = { x: (square[0] + 0.5) / columns, y: (square[1] + 0.5) / rows }
    showPreview(cursor.x, cursor.y)
  })

  // A form sent back with a problem keeps its place: show it again.
  if (x.value && y.value) {
    cursor = { x: clamp(Number(x.value)), y: clamp(Number(y.value)) }
    showPreview(cursor.x, cursor.y)
  } else if (parse(select.value)) {
    select.dispatchEvent(new Event('change'))
  }
}

const map = document.querySelector('[data-map]')
const form = document.getElementById('marker-form')
if (map && form) setUp(map, form)
