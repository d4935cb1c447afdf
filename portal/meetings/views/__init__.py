"""Pages of the school partnership meetings, by topic; each module adds its routes to
``portal.meetings.blueprint.bp``.

Children's social care leads a meeting with the school as an active partner; partner agencies and other
schools take part when their organisation accepts an invitation. Everyone who may see a meeting sees
its details, terms of reference and information-sharing agreement; its papers (the school's pre-meeting
return, agenda, minutes, attendees and actions) only after they accepted the agreement themselves.
Every object comes through ``portal.policies``; every change through ``portal.meetings.service``.
"""
