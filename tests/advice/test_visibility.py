"""Who sees a request: the DSL and head of its school, and every front-door officer of the authority;
nobody at another school. (The isolation suite covers each route for other roles and authorities.)"""

from __future__ import annotations

from tests.admin.pages import page_text
from tests.factories import make_advice, make_pupil
from tests.support import audit_events


def test_another_schools_dsl_gets_404_audited(app, world, signed_in):
    """Does school2's DSL get 404 for school1's request (its existence not leaked), with the attempt audited,
    and no sign of it in their list?"""
    advice_id = make_advice(app, world.a, make_pupil(app, world.a, legal_forename="Kai", legal_surname="Brennan"))
    dsl2 = signed_in(world.a.dsl2)
    assert dsl2.get(f"/advice/{advice_id}").status_code == 404
    assert dsl2.post(f"/advice/{advice_id}/reply", data={"body": "Is this ours?"}).status_code == 404
    refusals = audit_events(app, world.a.authority_id, "access.not_found")
    assert [(e.actor_id, e.object_id) for e in refusals] == [(world.a.dsl2.id, str(advice_id))] * 2
    assert "Kai" not in page_text(dsl2.get("/advice"))


def test_front_door_sees_every_schools_requests(app, world, signed_in):
    """Does a front-door officer see both schools' requests in the queue, open each (the read audited),
    and never another authority's?"""
    first = make_advice(app, world.a, make_pupil(app, world.a, legal_forename="Kai", legal_surname="Brennan"))
    second = make_advice(app, world.a, school="school2", by="dsl2", question="A group of Year 9 boys is sharing images of a girl.")
    elsewhere = make_advice(app, world.b)
    officer = signed_in(world.a.front_door)
    queue = page_text(officer.get("/front-door/advice"))
    assert "Avonford Primary School" in queue and "Avonford High School" in queue
    assert "Brackley" not in queue
    assert "Waiting (2)" in queue
    assert "Kai Brennan" in page_text(officer.get(f"/advice/{first}"))
    assert "sharing images of a girl" in page_text(officer.get(f"/advice/{second}"))
    viewed = audit_events(app, world.a.authority_id, "record.viewed")
    assert [(e.actor_id, e.object_type, e.object_id) for e in viewed] == [
        (world.a.front_door.id, "advice_queue", None),
        (world.a.front_door.id, "advice_request", str(first)),
        (world.a.front_door.id, "advice_request", str(second)),
    ]
    assert officer.get(f"/advice/{elsewhere}").status_code == 404


def test_the_head_sees_the_schools_requests(app, world, signed_in):
    """Does the head see and open the request the school's DSL made?"""
    advice_id = make_advice(app, world.a)
    head = signed_in(world.a.head1)
    assert head.get(f"/advice/{advice_id}").status_code == 200
    assert f'href="/advice/{advice_id}"' in head.get("/advice").get_data(as_text=True)
