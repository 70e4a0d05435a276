"""The words of the domain that every layer shares: the bottom of the house.

Nothing here imports from the rest of the package, so any module may import from here and
none has to reach up for a word. The dismissal reasons are the policy's own words and live in
dashboard/policy.py (`[scope.out_of_scope]` names them); the words here belong to no rule.
"""

from __future__ import annotations

# How a case reached support (the policy: the portal first; email only in an emergency when
# the portal is down). Export formats map their own channel names onto these.
CHANNELS = ("portal", "email", "phone", "chat", "other")
EMAIL = "email"

# A case's response verdict, in the order of the engine's status codes (dashboard/sla.py):
# met or breached its target, pending (unanswered, still inside it), invalid (answered before
# it was created), unscored (its export records no first responses at all).
STATUSES = ("met", "breached", "pending", "invalid", "unscored")
MET, BREACHED, PENDING, INVALID, UNSCORED = range(len(STATUSES))
