"""Small charts drawn on the server as SVG: a stance history and a parliament's composition.

Only geometry lives here; templates/contacts/_stance_chart.html and _composition_bar.html draw
it with a <title>, a <desc> and a table or list as the text alternative. Coordinates are
rounded floats; the templates print them with localisation off so "12,5" never reaches SVG.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from contacts.models import STANCE_SCALE, Stance, StanceAssessment

WIDTH = 360
HEIGHT = 150
LEFT = 104  # room for the stance labels
RIGHT = 10
TOP = 10
BOTTOM = 28  # room for the date labels
PLOT_WIDTH = WIDTH - LEFT - RIGHT
PLOT_HEIGHT = HEIGHT - TOP - BOTTOM
LEVELS = sorted(set(STANCE_SCALE.values()))
LOWEST, HIGHEST = LEVELS[0], LEVELS[-1]


@dataclass(frozen=True)
class Level:
    y: float
    label: str


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    stance: str
    label: str


@dataclass(frozen=True)
class StanceChart:
    width: int
    height: int
    left: int
    right: float
    bottom: float
    path: str
    levels: list[Level]
    points: list[Point]
    start_label: str
    end_label: str
    title: str
    description: str


def _level_labels() -> dict[int, str]:
    """One label per level; stances that share a level (undecided, unknown) share it."""
    labels: dict[int, list[str]] = {}
    for stance, level in STANCE_SCALE.items():
        labels.setdefault(level, []).append(str(Stance(stance).label))
    return {level: " / ".join(names) for level, names in labels.items()}


def _y(level: int) -> float:
    return round(TOP + (HIGHEST - level) * PLOT_HEIGHT / (HIGHEST - LOWEST), 1)


def _date(moment: dt.datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "DATE_FORMAT")


def stance_chart(
    assessments: Sequence[StanceAssessment], now: dt.datetime | None = None
) -> StanceChart | None:
    """A step chart of one target's stance in one campaign, oldest assessment to now.

    Each assessment holds until the next one, so the line steps rather than slopes.
    Returns None when there is nothing to draw.
    """
    history = sorted(assessments, key=lambda a: (a.assessed_at, a.pk or 0))
    if not history:
        return None
    now = now or timezone.now()
    start = history[0].assessed_at
    # At least a day wide, so a stance recorded a minute ago still draws a line.
    end = max(now, history[-1].assessed_at, start + dt.timedelta(days=1))
    span = (end - start).total_seconds()

    def x(moment: dt.datetime) -> float:
        return round(LEFT + (moment - start).total_seconds() / span * PLOT_WIDTH, 1)

    points = [
        Point(
            x=x(a.assessed_at),
            y=_y(STANCE_SCALE[a.stance]),
            stance=a.stance,
            label=f"{_date(a.assessed_at)}: {a.get_stance_display()}",
        )
        for a in history
    ]
    path = [f"M{points[0].x} {points[0].y}"]
    for point in points[1:]:
        path.append(f"H{point.x} V{point.y}")
    path.append(f"H{x(end)}")
    labels = _level_labels()
    first, last = history[0], history[-1]
    if len(history) == 1:
        description = _("%(stance)s since %(date)s.") % {
            "stance": first.get_stance_display(),
            "date": _date(first.assessed_at),
        }
    else:
        description = ngettext(
            "From %(first)s on %(first_date)s to %(last)s on %(last_date)s; %(count)d assessment.",
            "From %(first)s on %(first_date)s to %(last)s on %(last_date)s; %(count)d assessments.",
            len(history),
        ) % {
            "first": first.get_stance_display(),
            "first_date": _date(first.assessed_at),
            "last": last.get_stance_display(),
            "last_date": _date(last.assessed_at),
            "count": len(history),
        }
    return StanceChart(
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        right=WIDTH - RIGHT,
        bottom=HEIGHT - BOTTOM,
        path=" ".join(path),
        levels=[Level(y=_y(level), label=labels[level]) for level in reversed(LEVELS)],
        points=points,
        start_label=_date(start),
        end_label=_date(end),
        title=_("Stance over time"),
        description=description,
    )


@dataclass(frozen=True)
class PartyShare:
    party_id: int | None
    name: str
    seats: int
    is_governing: bool
    x: float  # start of the segment, in percent of the bar
    width: float  # in percent of the bar
    colour: int  # index into the palette in app.css (composition-0 … composition-7)


@dataclass(frozen=True)
class Composition:
    shares: list[PartyShare]
    filled: int
    total: int
    description: str

    @property
    def vacant(self) -> int:
        return self.total - self.filled

    @property
    def governing(self) -> int:
        return sum(share.seats for share in self.shares if share.is_governing)


PALETTE_SIZE = 8


def composition(
    counts: Sequence[tuple[int | None, str, bool, int]], seats: int | None = None
) -> Composition | None:
    """A chamber's seats by party, for a bar and its legend.

    `counts` holds (party id, party name, governing, members); `seats`, when known, leaves
    the seats nobody holds as a gap at the end of the bar.
    """
    rows = [row for row in counts if row[3] > 0]
    if not rows:
        return None
    # Largest first, governing first among equals; members of no party at the end.
    rows.sort(key=lambda row: (row[0] is None, -row[3], not row[2], row[1]))
    filled = sum(row[3] for row in rows)
    total = max(filled, seats or 0)
    shares, x = [], 0.0
    for index, (party_id, name, governing, members) in enumerate(rows):
        width = round(members / total * 100, 2)
        shares.append(
            PartyShare(
                party_id=party_id,
                name=name or _("No party"),
                seats=members,
                is_governing=governing,
                x=round(x, 2),
                width=width,
                colour=index % PALETTE_SIZE,
            )
        )
        x += width
    governing = sum(row[3] for row in rows if row[2])
    description = ngettext(
        "%(filled)d member; governing parties hold %(governing)d.",
        "%(filled)d members; governing parties hold %(governing)d.",
        filled,
    ) % {"filled": filled, "governing": governing}
    return Composition(shares=shares, filled=filled, total=total, description=description)
