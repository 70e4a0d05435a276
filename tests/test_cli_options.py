"""dashboard/cli/options.py: reading option values, and what a mistyped one is told (issue 15);
`make run` on another port."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from dashboard.cli.options import UsageError, close_matches, parse_severities, refuse_unknown_values
from dashboard.policy import load_policy

ROOT = Path(__file__).resolve().parent.parent
CUSTOMERS = ["Acme Payments", "Globex Retail", "Initech Cloud", "Northwind Logistics"]


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("Acme", ["Acme Payments"]),  # the example: a start of the name
        ("acme payments", ["Acme Payments"]),  # another case
        ("  Acme   Payments ", ["Acme Payments"]),  # other spaces
        ("Payments", ["Acme Payments"]),  # a word of it
        ("Acme Payments Ltd", ["Acme Payments"]),  # more than the name
        ("Globx", ["Globex Retail"]),  # a typo in its start
        ("Initech Clod", ["Initech Cloud"]),  # a typo in the whole
        ("Umbrella", []),
        ("", []),
    ],
)
def test_close_matches(typed, meant):
    assert close_matches(typed, CUSTOMERS) == meant


def test_an_unknown_value_is_refused_naming_the_option_the_value_and_the_close_ones():
    with pytest.raises(UsageError) as refused:
        refuse_unknown_values("--customer", ["Acme"], CUSTOMERS, "customer")
    assert str(refused.value) == (
        "--customer 'Acme': no stored case has this customer (did you mean 'Acme Payments'?)"
    )
    refuse_unknown_values("--customer", ["Acme Payments"], CUSTOMERS, "customer")  # known


def test_without_a_close_one_the_stored_values_are_listed_or_counted():
    with pytest.raises(UsageError, match=r"\(those stored: 'email', 'portal'\)$"):
        refuse_unknown_values("--channel", ["fax"], ["email", "portal"], "channel")
    many = [f"Customer {n}" for n in range(20)]
    with pytest.raises(UsageError, match=r"\(none of the 20 stored is close to it\)$"):
        refuse_unknown_values("--customer", ["Zzz"], many, "customer")
    with pytest.raises(UsageError, match=r"\(no stored case names a plan\)$"):
        refuse_unknown_values("--plan", ["Gold"], [], "plan")


def test_severities_by_level_or_name_each_once():
    assert parse_severities(["1", "urgent", "P2", "Level 4 - Low"], load_policy()) == (1, 2, 4)
    with pytest.raises(UsageError, match=r"^--severity '0' is not a level of the policy; its"):
        parse_severities(["0"], load_policy())


# -- make run on another port ------------------------------------------------------------------


def _make_run(*settings: str) -> str:
    """The command `make run` would start (make -n: printed, nothing run or installed)."""
    shown = subprocess.run(
        ["make", "-s", "-n", "-C", str(ROOT), "run", "VENV=/nonexistent-venv", *settings],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    [command] = [line for line in shown.splitlines() if "streamlit run" in line]
    return command


def test_make_run_serves_on_the_port_given():
    assert _make_run("PORT=8502").endswith("--server.port 8502")
    # Without PORT, no port is forced: Streamlit takes 8501, or the next free one.
    assert "--server.port" not in _make_run()


def test_the_readme_says_how_to_run_on_another_port():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert re.search(r"`make run PORT=\d+`", readme)
