"""End-to-end journeys: the real portal served over HTTP, driven in Chromium with the keyboard."""
