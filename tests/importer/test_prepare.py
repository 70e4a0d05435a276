"""prepare_file: what it hands over to be stored, beside what the other importer tests check."""

from __future__ import annotations

from dashboard.importer.prepare import prepare_file
from dashboard.policy import load_policy

HEADER = (
    "case_id,customer,plan,severity,created_at,first_response_at,resolved_at,status,channel,"
    "component,subject,dismissal_reason,vendor_sla\n"
)


def test_a_case_rejected_after_validation_quotes_its_fields_from_the_compacted_table(tmp_path):
    """Issue 16: the table the prepared file keeps holds its times in pandas' str dtype; a
    case refused while scoring (its deadline past the holiday list) still quotes every field
    exactly as the file wrote it."""
    policy_path = tmp_path / "lk.toml"
    policy_path.write_text(
        '[calendar]\ntimezone = "Asia/Colombo"\nopen = "09:00"\nclose = "18:00"\n'
        'holidays = { country = "LK" }\n'
        '[[severity]]\nlevel = 1\nname = "Urgent"\nresponse_hours = 24\n'
    )
    rows = [
        f"A{i},Acme,Gold,1,2026-06-{1 + i % 28:02d}T10:{i % 60:02d}:00Z,,,open,Web,api,s{i},,"
        for i in range(40)
    ]
    late = "B,Zoë Café,Gold,1,2026-12-30 10:00, ,,open,Web,api,late one,,met"
    export = tmp_path / "cases.csv"
    export.write_text(HEADER + "\n".join([*rows, late]) + "\n", encoding="utf-8")
    prepared = prepare_file(export, load_policy(policy_path), as_of=1798718400)  # 2026-12-31
    table = prepared.validated.table
    assert table.frame["created_at"].dtype == "str"
    assert len(prepared.validated.cases) == 40
    [reject] = prepared.validated.rejects
    assert reject.row == 42
    assert reject.case_id == "B"
    assert reject.reason.startswith("its response deadline falls after 2026")
    assert reject.fields == dict(zip(HEADER.strip().split(","), late.split(","), strict=True))
