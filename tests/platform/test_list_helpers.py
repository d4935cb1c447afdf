"""The helpers long lists are drawn with: an address built once for every line's id, and a long select's
options made in one pass. Each must give exactly what the template's own ``url_for`` and loop gave."""

from __future__ import annotations

import uuid

import pytest
from flask import url_for

from portal.templating import select_options, url_maker


def test_an_address_made_for_each_id_is_the_one_url_for_makes(app):
    ids = [uuid.uuid4() for _ in range(3)]
    with app.test_request_context("/"):
        for endpoint, argument in (("referrals.detail", "referral_id"), ("casework.significant", "entry_id"), ("casework.chronology", "pupil_id")):
            make = url_maker(endpoint, argument)
            assert [make(i) for i in ids] == [url_for(endpoint, **{argument: i}) for i in ids]


def test_an_address_takes_only_an_id(app):
    """Nothing but a UUID reaches an address: text that would climb out of it, or add a query, is refused."""
    with app.test_request_context("/"):
        make = url_maker("referrals.detail", "referral_id")
        for bad in ("../admin", "x?next=https://elsewhere.example", str(uuid.uuid4()), 7):
            with pytest.raises(TypeError):
                make(bad)
        with pytest.raises(ValueError):
            url_maker("referrals.queue", "referral_id")  # the queue's address carries no referral id


def test_a_long_selects_options_are_escaped_and_the_chosen_one_selected(app):
    chosen = uuid.uuid4()
    schools = [(uuid.uuid4(), 'St Mary\'s <C of E> & "All Saints"'), (chosen, "Hill Top Academy")]
    markup = str(select_options(schools, chosen))
    assert markup == (
        f'<option value="{schools[0][0]}">St Mary&#39;s &lt;C of E&gt; &amp; &#34;All Saints&#34;</option>'
        f'<option value="{chosen}" selected>Hill Top Academy</option>'
    )
    assert " selected" not in str(select_options(schools, None))
    assert str(select_options(schools, str(chosen))).count(" selected") == 1
