"""Statutory deadlines for freedom-of-information requests.

Each country's access-to-information law gives the authority a number of days (calendar or
working days) to answer, counted from the day after the request is received. The table
holds the general deadline of the national law; extensions the law allows are not
counted. An action may set its own deadline where a law differs or is missing here.
Working days skip Saturdays and Sundays; public holidays are not known to the app, so a
deadline in working days can fall a day or two early around holidays, never late.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Deadline:
    days: int
    working_days: bool

    def due(self, sent_on: dt.date) -> dt.date:
        return deadline_from(sent_on, self.days, working_days=self.working_days)


# ISO country code → the general deadline of the national access-to-information law.
STATUTORY_DEADLINES: dict[str, Deadline] = {
    "AR": Deadline(15, True),  # Ley 27.275
    "AU": Deadline(30, False),  # Freedom of Information Act 1982
    "BR": Deadline(20, False),  # Lei 12.527/2011
    "CA": Deadline(30, False),  # Access to Information Act
    "CH": Deadline(20, False),  # Loi sur la transparence
    "CL": Deadline(20, True),  # Ley 20.285
    "CO": Deadline(10, True),  # Ley 1712 de 2014
    "DE": Deadline(30, False),  # Informationsfreiheitsgesetz: one month
    "ES": Deadline(30, False),  # Ley 19/2013: one month
    "FR": Deadline(30, False),  # Code des relations entre le public et l'administration
    "GB": Deadline(20, True),  # Freedom of Information Act 2000
    "GH": Deadline(14, False),  # Right to Information Act 2019
    "IE": Deadline(20, True),  # Freedom of Information Act 2014
    "IN": Deadline(30, False),  # Right to Information Act 2005
    "KE": Deadline(21, False),  # Access to Information Act 2016
    "LR": Deadline(30, False),  # Freedom of Information Act 2010
    "MW": Deadline(30, False),  # Access to Information Act 2017
    "MX": Deadline(20, True),  # Ley General de Transparencia
    "NG": Deadline(7, False),  # Freedom of Information Act 2011
    "NO": Deadline(5, True),  # Offentleglova: "without undue delay", guidance five days
    "NZ": Deadline(20, True),  # Official Information Act 1982
    "PE": Deadline(10, True),  # Ley 27806
    "PH": Deadline(15, True),  # Executive Order No. 2 (2016)
    "SE": Deadline(1, True),  # Tryckfrihetsförordningen: "promptly"
    "SL": Deadline(15, True),  # Right to Access Information Act 2013
    "TN": Deadline(20, False),  # Loi organique 2016-22
    "TZ": Deadline(30, False),  # Access to Information Act 2016
    "UG": Deadline(21, False),  # Access to Information Act 2005
    "US": Deadline(20, True),  # 5 U.S.C. § 552
    "ZA": Deadline(30, False),  # Promotion of Access to Information Act 2000
    "ZM": Deadline(14, False),  # Access to Information Act 2023
}


def deadline_from(sent_on: dt.date, days: int, *, working_days: bool) -> dt.date:
    """The last day to answer a request sent on `sent_on`: `days` counted from the next day,
    skipping weekends when they are working days. A deadline in calendar days that falls
    on a weekend stays where it is; laws differ on that, and early is safe."""
    if not working_days:
        return sent_on + dt.timedelta(days=days)
    day, left = sent_on, days
    while left > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return day


def deadline_for(country_code: str | None, *, days: int | None, working_days: bool | None):
    """The deadline that applies: the action's own when it sets the days, else the law of
    the country; None when neither is known."""
    law = STATUTORY_DEADLINES.get((country_code or "").upper())
    if days:
        if working_days is None:
            working_days = law.working_days if law else False
        return Deadline(days, working_days)
    return law
