"""Small-number suppression in the governor report: a count from 1 to 4 is "fewer than 5"; where the rows
add up to a shown total, no hidden count can be worked out from the total and the counts shown."""

from __future__ import annotations

import itertools
import random

from portal.selfreview.aggregates import FEWER_THAN, NOT_SHOWN, suppress


def shown(table) -> dict[str, str]:
    out = {cell.label: cell.shown for cell in table.rows}
    if table.total is not None:
        out[table.total.label] = table.total.shown
    return out


def test_one_to_four_is_fewer_than_five_and_zero_and_five_are_shown():
    table = suppress("Concerns", "Category", [("A", 0), ("B", 1), ("C", 4), ("D", 5), ("E", 12)], None)
    assert shown(table) == {"A": "0", "B": FEWER_THAN, "C": FEWER_THAN, "D": "5", "E": "12"}


def test_a_single_hidden_count_hides_the_next_smallest_so_the_total_gives_nothing_away():
    table = suppress("Concerns", "Category", [("Neglect", 7), ("Emotional abuse", 6), ("Physical abuse", 2), ("Online harm", 0)], 15)
    assert shown(table) == {"Neglect": "7", "Emotional abuse": NOT_SHOWN, "Physical abuse": FEWER_THAN, "Online harm": "0", "Total": "15"}


def test_hidden_counts_that_could_only_be_ones_hide_another():
    # 1 and 1 hidden with a total of 12 and 10 shown: both must be 1. A third count is hidden.
    table = suppress("Concerns", "Category", [("A", 1), ("B", 1), ("C", 10)], 12)
    assert shown(table) == {"A": FEWER_THAN, "B": FEWER_THAN, "C": NOT_SHOWN, "Total": "12"}


def test_two_hidden_counts_that_could_be_several_things_are_enough():
    table = suppress("Concerns", "Category", [("A", 3), ("B", 2), ("C", 10)], 15)
    assert shown(table) == {"A": FEWER_THAN, "B": FEWER_THAN, "C": "10", "Total": "15"}


def test_a_small_total_is_hidden_and_so_is_every_count_in_it():
    table = suppress("Referrals", "Level", [("Child in need", 3), ("Child protection", 0)], 3)
    assert shown(table) == {"Child in need": FEWER_THAN, "Child protection": "0", "Total": FEWER_THAN}


def test_with_nothing_left_to_hide_the_total_is_hidden():
    # One hidden count, every other count 0: the total would be the hidden count itself.
    table = suppress("Referrals", "Level", [("A", 4), ("B", 0)], 4)
    assert shown(table)["Total"] == FEWER_THAN
    table = suppress("Referrals", "Level", [("A", 2), ("B", 5)], 7)
    assert shown(table) == {"A": FEWER_THAN, "B": NOT_SHOWN, "Total": "7"}


def test_rows_that_do_not_add_up_hide_only_the_small_counts():
    # A referral counts under each of its categories: the total is not their sum, nothing can be worked out.
    table = suppress("Referrals", "Category of harm", [("Neglect", 6), ("Sexual abuse", 2), ("Online harm", 2)], 8, additive=False)
    assert shown(table) == {"Neglect": "6", "Sexual abuse": FEWER_THAN, "Online harm": FEWER_THAN, "Total": "8"}


def _possible_values(table) -> list[set[int]]:
    """Every value each hidden count could take, given what the table shows (brute force). A reader knows
    "fewer than 5" is 1 to 4, and "not shown" at least 5 and no more than the smallest count shown."""
    hidden = [cell for cell in table.rows if cell.hidden]
    known = sum(cell.count for cell in table.rows if not cell.hidden)
    total = table.total.count if table.total is not None and not table.total.hidden else None
    shown_counts = [cell.count for cell in table.rows if not cell.hidden and cell.count > 0]
    ceiling = min(shown_counts) if shown_counts else 40
    ranges = [range(1, 5) if cell.hidden == "primary" else range(5, ceiling + 1) for cell in hidden]
    options: list[set[int]] = [set() for _ in hidden]
    for values in itertools.product(*ranges):
        if total is not None and known + sum(values) != total:
            continue
        for index, value in enumerate(values):
            options[index].add(value)
    return options


def test_no_hidden_count_can_be_worked_out_in_many_tables():
    chooser = random.Random(20261122)
    for _ in range(600):
        counts = [chooser.choice([0, 0, 1, 2, 3, 4, 5, 6, 7, 9, 12, 20]) for _ in range(chooser.randint(1, 5))]
        table = suppress("T", "Row", [(f"R{i}", c) for i, c in enumerate(counts)], sum(counts))
        for cell in table.rows:
            if 0 < cell.count < 5:
                assert cell.hidden, counts  # every small count is hidden
            if not cell.hidden:
                assert cell.shown == str(cell.count)
        for possible in _possible_values(table):
            assert len(possible) >= 2, (counts, shown(table))
