"""No settings: the bare endpoint and the floor are served with gunicorn's defaults and the command line's
set-up, never with the portal's gunicorn.conf.py (its fork hook would load the portal into them)."""
