"""A hand-computed set of cases for the analytics queries (issue #4).

London calendar, Mon-Fri 09:00-18:00, March 2026 (GMT, so London time = UTC; no bank holiday
in these weeks). Each row states, worked out by hand, the case's business response time in
seconds and its status as of AS_OF (Friday 13 March 2026 12:00). The period of interest is
2-13 March; three cases from February test the period filter and the backlog.

        February / March 2026
   Mo Tu We Th Fr Sa Su
   23 24 25 26 27 28  1
    2  3  4  5  6  7  8     week 1
    9 10 11 12[13]14 15     week 2; AS_OF = Fri 13 12:00
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from dashboard.importer.prepare import prepare_file
from dashboard.importing import import_prepared
from tests.helpers import vendor_policy

AS_OF = dt.datetime(2026, 3, 13, 12, 0, tzinfo=dt.UTC)
PERIOD = (dt.date(2026, 3, 2), dt.date(2026, 3, 13))
H = 3600

# id, customer, plan, level, channel, created, first response, resolved, dismissal, recorded,
# expected status at AS_OF, expected business seconds (None: no response time)
CASES = [
    # -- Acme (Enterprise) ------------------------------------------------------------------
    ("A01", "Acme", "Enterprise", 1, "portal", "2026-03-02 09:00", "2026-03-02 10:00", "2026-03-02 15:00", "", True, "met", 1 * H),
    ("A02", "Acme", "Enterprise", 1, "email", "2026-03-02 09:00", "2026-03-02 14:00", "2026-03-03 10:00", "", True, "breached", 5 * H),
    ("A03", "Acme", "Enterprise", 1, "portal", "2026-03-02 09:00", "2026-03-02 12:40", "2026-03-02 17:00", "", True, "met", 13200),  # near miss
    ("A04", "Acme", "Enterprise", 2, "portal", "2026-03-03 10:00", "2026-03-03 17:00", "2026-03-04 10:00", "", True, "met", 7 * H),
    ("A05", "Acme", "Enterprise", 2, "email", "2026-03-03 17:00", "2026-03-04 17:00", "2026-03-05 09:30", "", True, "breached", 9 * H),  # Tue 1 h + Wed 8 h
    ("A06", "Acme", "Enterprise", 3, "portal", "2026-03-06 17:00", "2026-03-09 10:00", "2026-03-09 12:00", "", True, "met", 2 * H),  # Fri 1 h + Mon 1 h
    ("A07", "Acme", "Enterprise", 3, "email", "2026-03-04 20:00", "2026-03-05 09:30", "2026-03-05 11:00", "", True, "met", 1800),  # after hours
    ("A08", "Acme", "Enterprise", 4, "portal", "2026-03-02 09:00", "2026-03-04 18:00", "2026-03-05 10:00", "", True, "breached", 27 * H),
    ("A09", "Acme", "Enterprise", 4, "portal", "2026-03-02 09:00", "2026-03-04 15:00", "2026-03-04 16:00", "", True, "met", 24 * H),  # exactly the target
    ("A10", "Acme", "Enterprise", 4, "portal", "2026-03-12 09:00", "", "", "", True, "pending", None),  # 12 h used
    ("A11", "Acme", "Enterprise", 2, "portal", "2026-03-09 09:00", "", "", "", True, "breached", None),  # 39 h used
    ("A12", "Acme", "Enterprise", 3, "portal", "2026-03-03 11:00", "2026-03-03 10:00", "2026-03-03 12:00", "", True, "invalid", None),
    ("A13", "Acme", "Enterprise", 4, "portal", "2026-03-02 10:00", "2026-03-02 11:00", "2026-03-02 12:00", "third_party", True, "met", 1 * H),
    ("A14", "Acme", "Enterprise", 4, "email", "2026-03-04 10:00", "2026-03-04 10:30", "2026-03-04 11:00", "not_flux", True, "met", 1800),
    ("A15", "Acme", "Enterprise", 3, "portal", "2026-03-13 11:00", "", "", "", True, "pending", None),  # 1 h used
    ("F01", "Acme", "Enterprise", 4, "portal", "2026-03-13 15:00", "", "", "", True, "pending", None),  # after AS_OF
    # -- Globex (Business) ------------------------------------------------------------------
    ("G01", "Globex", "Business", 1, "portal", "2026-03-03 09:00", "2026-03-03 09:30", "2026-03-03 12:00", "", True, "met", 1800),
    ("G02", "Globex", "Business", 1, "portal", "2026-03-06 16:00", "2026-03-09 11:00", "2026-03-09 12:00", "", True, "met", 4 * H),  # Fri 2 + Mon 2: exactly
    ("G03", "Globex", "Business", 2, "email", "2026-03-09 09:00", "2026-03-09 18:00", "2026-03-10 10:00", "", True, "breached", 9 * H),
    ("G04", "Globex", "Business", 2, "portal", "2026-03-11 14:00", "2026-03-12 09:00", "2026-03-12 10:00", "", True, "met", 4 * H),
    ("G05", "Globex", "Business", 3, "portal", "2026-03-02 09:00", "2026-03-03 13:00", "2026-03-03 15:00", "", True, "breached", 13 * H),
    ("G06", "Globex", "Business", 3, "portal", "2026-03-07 10:00", "2026-03-09 09:00", "2026-03-09 10:00", "", True, "met", 0),  # Saturday to Monday 09:00
    ("G07", "Globex", "Business", 3, "portal", "2026-03-10 10:00", "2026-03-10 11:00", "2026-03-10 12:00", "infrastructure_access", True, "met", 1 * H),
    ("G08", "Globex", "Business", 4, "portal", "2026-03-10 09:00", "2026-03-12 09:00", "2026-03-12 10:00", "", True, "met", 18 * H),
    ("G09", "Globex", "Business", 4, "portal", "2026-03-11 09:00", "", "", "", True, "pending", None),  # 21 h used
    ("G10", "Globex", "Business", 4, "portal", "2026-03-09 09:00", "", "", "", True, "breached", None),  # 39 h used
    ("G11", "Globex", "Business", 2, "portal", "2026-03-05 09:00", "2026-03-05 10:00", "", "", True, "met", 1 * H),  # answered, still open
    ("G12", "Globex", "Business", 1, "email", "2026-03-11 21:00", "2026-03-12 09:45", "2026-03-12 11:00", "", True, "met", 2700),
    ("U02", "Globex", "Business", 2, "portal", "2026-03-11 10:00", "", "", "", False, "unscored", None),
    # -- Initech (Standard) -----------------------------------------------------------------
    ("I01", "Initech", "Standard", 3, "portal", "2026-03-02 09:00", "2026-03-02 18:00", "2026-03-03 09:00", "", True, "met", 9 * H),
    ("I02", "Initech", "Standard", 3, "email", "2026-03-02 09:00", "2026-03-03 12:00", "2026-03-03 14:00", "", True, "met", 12 * H),  # exactly
    ("I03", "Initech", "Standard", 4, "portal", "2026-03-05 15:00", "2026-03-10 15:00", "2026-03-10 16:00", "", True, "breached", 27 * H),  # 3+9+9+6
    ("I04", "Initech", "Standard", 4, "portal", "2026-03-09 10:00", "2026-03-09 10:10", "2026-03-09 10:20", "other", True, "met", 600),
    ("I05", "Initech", "Standard", 4, "portal", "2026-03-10 10:00", "2026-03-10 12:00", "2026-03-10 13:00", "third_party", True, "met", 2 * H),
    ("I06", "Initech", "Standard", 2, "portal", "2026-03-12 16:00", "", "", "", True, "pending", None),  # 5 h used
    ("I07", "Initech", "Standard", 1, "portal", "2026-03-13 10:00", "", "", "", True, "pending", None),  # 2 h used
    ("I08", "Initech", "Standard", 1, "portal", "2026-03-12 09:00", "", "", "", True, "breached", None),  # 12 h used
    ("I09", "Initech", "Standard", 3, "portal", "2026-03-04 09:00", "2026-03-04 09:00", "2026-03-04 10:00", "", True, "met", 0),
    ("I10", "Initech", "Standard", 4, "email", "2026-03-02 23:00", "2026-03-03 09:05", "2026-03-03 10:00", "", True, "met", 300),
    ("U01", "Initech", "Standard", 3, "portal", "2026-03-03 10:00", "", "2026-03-03 15:00", "", False, "unscored", None),
    # -- February: outside the period -------------------------------------------------------
    ("P01", "Acme", "Enterprise", 4, "portal", "2026-02-26 10:00", "2026-02-26 11:00", "2026-03-03 10:00", "", True, "met", 1 * H),
    ("P02", "Globex", "Business", 3, "portal", "2026-02-27 10:00", "", "", "", True, "breached", None),  # 92 h used
    ("P03", "Initech", "Standard", 2, "portal", "2026-02-23 09:00", "2026-02-23 10:00", "2026-02-23 12:00", "", True, "met", 1 * H),
]  # fmt: skip

# Business time from creation to resolution (issue 12), worked out by hand for every case
# resolved after its creation; a case without an entry is open. None of them pauses (a
# one-row-per-case export has no history), so it is the response rule run to resolved_at.
RESOLVED_SECONDS = {
    # level 1
    "A01": 6 * H,  # Mon 09:00-15:00
    "A02": 10 * H,  # Mon 9 h + Tue 1 h
    "A03": 8 * H,
    "G01": 3 * H,
    "G02": 5 * H,  # Fri 16:00-18:00 + Mon 09:00-12:00
    "G12": 2 * H,  # created Wed 21:00: Thu 09:00-11:00
    # level 2
    "A04": 9 * H,  # Tue 8 h + Wed 1 h
    "A05": 10 * H + 1800,  # Tue 1 h + Wed 9 h + Thu 0.5 h
    "G03": 10 * H,  # Mon 9 h + Tue 1 h
    "G04": 5 * H,  # Wed 4 h + Thu 1 h
    "P03": 3 * H,  # February
    # level 3
    "A06": 4 * H,  # Fri 1 h + Mon 3 h
    "A07": 2 * H,  # created Wed 20:00: Thu 09:00-11:00
    "A12": 1 * H,  # its response is invalid, its resolution is not
    "G05": 15 * H,  # Mon 9 h + Tue 6 h
    "G06": 1 * H,  # created Saturday: Mon 09:00-10:00
    "G07": 2 * H,
    "I01": 9 * H,  # Mon 09:00 - Tue 09:00: one business day
    "I02": 14 * H,  # Mon 9 h + Tue 5 h
    "I09": 1 * H,
    "U01": 5 * H,  # unscored for response, timed for resolution
    # level 4
    "A08": 28 * H,  # Mon, Tue, Wed 9 h each + Thu 1 h
    "A09": 25 * H,  # Mon 9 + Tue 9 + Wed 7
    "A13": 2 * H,
    "A14": 1 * H,
    "G08": 19 * H,  # Tue 9 + Wed 9 + Thu 1
    "I03": 28 * H,  # Thu 3 + Fri 9 + Mon 9 + Tue 7
    "I04": 1200,
    "I05": 3 * H,
    "I10": 1 * H,  # created Mon 23:00: Tue 09:00-10:00
    "P01": 27 * H,  # February: Thu 8 + Fri 9 + Mon 9 + Tue 1
}

FIELDS = ("case_id", "customer", "plan", "level", "channel", "created", "responded", "resolved",
          "dismissal", "recorded", "status", "seconds")  # fmt: skip


def rows() -> list[dict]:
    return [dict(zip(FIELDS, case, strict=True)) for case in CASES]


def in_period() -> list[dict]:
    first, last = PERIOD
    return [r for r in rows() if first.isoformat() <= r["created"][:10] <= last.isoformat()]


def csv_text() -> str:
    header = ("case_id,customer,plan,severity,created_at,first_response_at,resolved_at,status,"
              "channel,dismissal_reason,response_recorded\n")  # fmt: skip
    lines = []
    for r in rows():
        status = "dismissed" if r["dismissal"] else ("open" if not r["resolved"] else "resolved")
        lines.append(
            f"{r['case_id']},{r['customer']},{r['plan']},P{r['level']},{r['created']},"
            f"{r['responded']},{r['resolved']},{status},{r['channel']},{r['dismissal']},"
            f"{'true' if r['recorded'] else 'false'}\n"
        )
    return header + "".join(lines)


def import_into(engine, folder: Path, *, extra: str = "", policy=None):
    """Import these cases (and `extra` canonical CSV rows after them) into `engine`, through the
    importer as a user's file would go, under `policy` (default: the vendor's); returns it."""
    policy = policy or vendor_policy()
    path = folder / "fixture.csv"
    path.write_text(csv_text() + extra)
    import_prepared(engine, [prepare_file(path, policy)], policy)
    return engine
