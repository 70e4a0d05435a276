"""A ServiceNow incident audit log (one row per change), made small for tests.

The shape of the real one (issue 12): the incident's fields after each update, dates
`D/M/YYYY HH:MM`, `?` for empty. Made here, not copied: the real slice is not ours to commit.
"""

from __future__ import annotations

from pathlib import Path

HEADER = (
    "number,incident_state,active,reassignment_count,reopen_count,sys_mod_count,made_sla,"
    "caller_id,opened_by,opened_at,sys_created_by,sys_created_at,sys_updated_by,sys_updated_at,"
    "contact_type,location,category,subcategory,u_symptom,cmdb_ci,impact,urgency,priority,"
    "assignment_group,assigned_to,knowledge,u_priority_confirmation,notify,problem_id,rfc,"
    "vendor,caused_by,closed_code,resolved_by,resolved_at,closed_at"
)
# (number, incident_state, sys_mod_count, sys_updated_at, priority), the rest alike on every row
EVENTS = [
    ("INC0000045", "New", 0, "29/2/2016 01:23", "3 - Moderate"),
    ("INC0000045", "Active", 1, "29/2/2016 04:57", "3 - Moderate"),
    ("INC0000045", "Active", 2, "29/2/2016 06:10", "2 - High"),
    ("INC0000045", "Resolved", 3, "29/2/2016 11:29", "2 - High"),
    ("INC0000047", "New", 0, "29/2/2016 06:58", "3 - Moderate"),
    ("INC0000047", "Active", 1, "1/3/2016 09:52", "3 - Moderate"),
    ("INC0000048", "New", 0, "29/2/2016 07:10", "4 - Low"),
]


def _row(number: str, state: str, count: int, updated: str, priority: str) -> str:
    return ",".join(
        [number, state, "true", "0", "0", str(count), "true", "Caller 2403", "Opened by 8",
         "29/2/2016 01:16", "Created by 6", "29/2/2016 01:23", "Updated by 21", updated, "Phone",
         "Location 143", "Category 55", "Subcategory 170", "Symptom 72", "?", "2 - Medium",
         "2 - Medium", priority, "Group 56", "?", "true", "false", "Do Not Notify", "?", "?",
         "?", "?", "code 5", "Resolved by 149", "29/2/2016 11:29", "5/3/2016 12:00"]
    )  # fmt: skip


def write_audit_log(path: Path, events=EVENTS) -> Path:
    path.write_text("\n".join([HEADER, *(_row(*event) for event in events)]) + "\n")
    return path
