"""The position a letter names its target by."""

from contacts.models import Institution, Position
from letters.merge import best_position, empty_fields


def _position(kind: str, area_id: int | None = None) -> Position:
    return Position(institution=Institution(kind=kind), area_id=area_id)


def test_a_seat_in_parliament_describes_a_target_best():
    party = _position("party")
    committee = _position("committee")
    ministry = _position("ministry")
    seat = _position("parliament", area_id=7)
    assert best_position([party, committee, ministry, seat]) is seat
    assert best_position([party, committee, ministry]) is ministry


def test_a_position_with_an_area_comes_before_one_without():
    national = _position("parliament")
    constituency = _position("parliament", area_id=3)
    assert best_position([national, constituency]) is constituency


def test_a_party_alone_is_no_position_to_name_them_by():
    assert best_position([_position("party")]) is None
    assert best_position([]) is None


def test_the_fields_that_come_out_empty_are_named_once_in_order():
    values = {"target.full_name": "Jane Wanjiru", "target.constituency": ""}
    texts = [
        "For {{ target.constituency }}",
        "Dear {{ target.full_name }} of {{ target.party }}, {{ target.constituency }}",
    ]

    empty = empty_fields(texts, values)

    assert [field.name for field in empty] == ["target.constituency", "target.party"]
    assert empty_fields(["Dear {{ target.full_name }}"], values) == []
