"""Realistic synthetic case exports for a fictional customer base of a Flux CD support vendor.

`sla-dashboard demo` generates one; `make sample` regenerates the committed sample
(data/sample_cases.csv: about 2,000 cases over 18 months). It has what a real export shows:
customers on different plans, a severity mix dominated by levels 3-4 with a few level-1 outages
(often out of hours, sometimes by emergency email), responses that follow business hours with
some breaches, dismissals for each of the policy's reasons, an open backlog at the end, Flux
components, and a handful of data mistakes so the rejects report has something to say.

It also carries the helpdesk's own verdict (vendor_sla), as helpdesks export theirs: this one's
calendar was never given the public holidays, it times level-1 cases around the clock, and
agents override about one verdict in a hundred. The Reconciliation page names the first two
(a level-1 case that spans no weekend reads as "24-hour days": only a weekend tells 24x7
apart); the overrides land where a hypothesis happens to fit, or stay unexplained.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
from typing import TextIO

import numpy as np

from dashboard.business_hours import BusinessCalendar
from dashboard.policy import Policy

COLUMNS = (
    "case_id", "customer", "plan", "severity", "created_at", "first_response_at", "resolved_at",
    "status", "channel", "component", "subject", "dismissal_reason", "vendor_sla",
)  # fmt: skip

# (customer, plan, share of cases)
CUSTOMERS = (
    ("Northwind Logistics", "Enterprise", 0.16),
    ("Acme Payments", "Enterprise", 0.14),
    ("Globex Retail", "Business", 0.12),
    ("Initech Cloud", "Business", 0.11),
    ("Umbrella Health", "Enterprise", 0.10),
    ("Stark Mobility", "Business", 0.09),
    ("Wayne Media", "Standard", 0.08),
    ("Tyrell Energy", "Standard", 0.07),
    ("Soylent Foods", "Standard", 0.06),
    ("Cyberdyne Robotics", "Business", 0.07),
)
SEVERITY_SHARE = (0.03, 0.12, 0.35, 0.50)
COMPONENTS = (
    ("source-controller", 0.20),
    ("kustomize-controller", 0.20),
    ("helm-controller", 0.22),
    ("notification-controller", 0.08),
    ("image-reflector-controller", 0.06),
    ("image-automation-controller", 0.06),
    ("flux-operator", 0.18),
)
SUBJECTS = {
    "source-controller": (
        "GitRepository fails to authenticate with deploy key",
        "OCIRepository pull times out behind corporate proxy",
        "HelmRepository index download exceeds memory limit",
        "Bucket source reports checksum mismatch",
    ),
    "kustomize-controller": (
        "Kustomization stuck in 'reconciliation in progress'",
        "Health checks time out after upgrade",
        "SOPS decryption fails with age key",
        "Drift detection reverts manual hotfix",
    ),
    "helm-controller": (
        "HelmRelease upgrade stuck in retry loop",
        "HelmRelease rollback does not restore previous values",
        "Chart dependency not found after source change",
        "Post-renderer patch ignored on install",
    ),
    "notification-controller": (
        "Alerts to Slack stopped after token rotation",
        "Receiver webhook returns 404",
    ),
    "image-reflector-controller": (
        "ImagePolicy picks wrong semver tag",
        "ImageRepository scan rate-limited by registry",
    ),
    "image-automation-controller": (
        "ImageUpdateAutomation pushes to wrong branch",
        "Commit signing fails for automation commits",
    ),
    "flux-operator": (
        "FluxInstance upgrade blocked by CRD conflict",
        "Flux Operator fails to reconcile FluxInstance",
        "ResourceSet input provider not refreshed",
        "Sharding configuration not applied",
    ),
}
# Dismissals quote the policy's scope: third-party tools, not Flux, needs infrastructure access.
DISMISSALS = (
    ("third_party", 0.45, ("argo-cd", "terraform", "external-secrets", "cert-manager"),
     ("Argo CD application out of sync", "Terraform state lock on apply",
      "External Secrets not syncing from Vault", "cert-manager certificate stuck pending")),
    ("not_flux", 0.30, ("kubernetes", "ingress-nginx", "cloud-provider"),
     ("Pods evicted under node pressure", "Ingress returns 502 intermittently",
      "Load balancer health checks failing")),
    ("infrastructure_access", 0.20, ("flux-operator", "kustomize-controller"),
     ("Please log into our cluster and fix the deployment",
      "Need you to debug our private network routing")),
    ("other", 0.05, ("flux-operator",), ("Request for a training session",)),
)  # fmt: skip


def generate(
    policy: Policy,
    *,
    cases: int = 2000,
    seed: int = 20250601,
    start: dt.datetime = dt.datetime(2025, 6, 1, tzinfo=dt.UTC),
    end: dt.datetime = dt.datetime(2026, 11, 20, tzinfo=dt.UTC),
    data_problems: bool = True,
    id_prefix: str = "FLX",
) -> list[dict[str, str]]:
    rng = np.random.default_rng(seed)
    first, last = int(start.timestamp()), int(end.timestamp())
    calendar = BusinessCalendar.covering(policy.calendar, first, last)

    levels = rng.choice(np.arange(1, len(SEVERITY_SHARE) + 1), size=cases, p=SEVERITY_SHARE)
    levels = np.minimum(levels, len(policy.severities))
    # Most cases arrive in business hours; outages arrive at any hour.
    in_hours = rng.random(cases) < np.where(levels == 1, 0.45, 0.85)
    span = int(calendar.clock(last) - calendar.clock(first))
    business_created = calendar.instant_at(calendar.clock(first) + rng.integers(1, span, cases))
    created = np.where(in_hours, business_created, rng.integers(first, last, cases))
    order = np.argsort(created, kind="stable")
    created, levels = created[order], levels[order]

    targets = np.array([0] + [s.response_seconds for s in policy.severities])[levels]
    # Response as a share of the target: mostly well inside it; about one in ten over.
    share = rng.lognormal(mean=-1.1, sigma=0.7, size=cases)
    delay = np.maximum(120, (share * targets).astype(np.int64))
    responded = calendar.instant_at(calendar.clock(created) + delay)
    unanswered = created > last - 2 * 86400
    unanswered |= rng.random(cases) < 0.005

    resolve = rng.exponential(np.where(levels <= 2, 1.5, 5.0) * 86400).astype(np.int64) + 3600
    resolved = responded + resolve
    open_ = unanswered | (resolved > last) | (rng.random(cases) < 0.01)

    helpdesk = _helpdesk_verdicts(policy, created, responded, levels, targets, seed)
    customers = rng.choice(len(CUSTOMERS), size=cases, p=[c[2] for c in CUSTOMERS])
    email = rng.random(cases) < np.where(levels == 1, 0.35, np.where(levels == 2, 0.10, 0.03))
    dismissed = (rng.random(cases) < 0.09) & ~open_
    reasons = rng.choice(len(DISMISSALS), size=cases, p=[d[1] for d in DISMISSALS])
    components = rng.choice(len(COMPONENTS), size=cases, p=[c[1] for c in COMPONENTS])
    picks = rng.integers(0, 1000, size=cases)

    rows = []
    for i in range(cases):
        customer, plan, _ = CUSTOMERS[customers[i]]
        if dismissed[i]:
            reason, _, comps, subjects = DISMISSALS[reasons[i]]
            component, subject = comps[picks[i] % len(comps)], subjects[picks[i] % len(subjects)]
        else:
            reason = ""
            component = COMPONENTS[components[i]][0]
            subject = SUBJECTS[component][picks[i] % len(SUBJECTS[component])]
        rows.append(
            {
                "case_id": f"{id_prefix}-{10001 + i}",
                "customer": customer,
                "plan": plan,
                "severity": f"Level {levels[i]} - {policy.severity(int(levels[i])).name}",
                "created_at": _iso(created[i]),
                "first_response_at": "" if unanswered[i] else _iso(responded[i]),
                "resolved_at": "" if open_[i] else _iso(resolved[i]),
                "status": "open" if open_[i] else ("dismissed" if reason else "resolved"),
                "channel": "email" if email[i] else "portal",
                "component": component,
                "subject": subject,
                "dismissal_reason": reason,
                "vendor_sla": "" if unanswered[i] else helpdesk[i],
            }
        )
    if data_problems and cases >= 400:
        _add_data_problems(rows)
    return rows


def _helpdesk_verdicts(
    policy: Policy,
    created: np.ndarray,
    responded: np.ndarray,
    levels: np.ndarray,
    targets: np.ndarray,
    seed: int,
) -> np.ndarray:
    """The helpdesk's own first-response verdicts: its business hours know no public holidays,
    level 1 is timed 24x7, and one verdict in a hundred is overridden by hand. Drawn from a
    generator of their own, so the cases themselves are those of earlier samples."""
    spec = dataclasses.replace(policy.calendar, holidays=None, closures=())
    calendar = BusinessCalendar.covering(spec, created, responded)
    elapsed = np.where(levels == 1, responded - created, calendar.between(created, responded))
    met = elapsed <= targets
    overridden = np.random.default_rng(seed + 1).random(len(created)) < 0.01
    return np.where(met ^ overridden, "met", "breached")


def _add_data_problems(rows: list[dict[str, str]]) -> None:
    """Real exports carry mistakes; the sample shows how each is reported."""
    swapped = rows[40]
    if swapped["first_response_at"]:  # answered "before" it was opened: scored invalid
        swapped["created_at"], swapped["first_response_at"] = (
            swapped["first_response_at"],
            swapped["created_at"],
        )
    rows[120]["severity"] = "P0"  # no such level: rejected
    rows[230]["created_at"] = "31/06/2026 10:00"  # not ISO 8601 (and no 31 June): rejected
    # (A repeated case id is no longer among them: it refuses the whole file as an event log.)
    rows[310]["case_id"] = ""  # exported without its id: rejected
    rows[377]["dismissal_reason"] = "too busy"  # not one of the policy's reasons: rejected


def _iso(seconds: int) -> str:
    return dt.datetime.fromtimestamp(int(seconds), dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def write(rows: list[dict[str, str]], out: TextIO) -> None:
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)


if __name__ == "__main__":  # `make sample` regenerates the committed sample with this
    import sys

    from dashboard.policy import load_policy

    write(generate(load_policy()), sys.stdout)
