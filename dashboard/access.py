"""Who may do what on a shared server: `data/access.toml` -> validated, frozen rules.

Sign-in (OpenID Connect through Streamlit's st.login, configured under [auth] in
.streamlit/secrets.toml) says who a visitor is; this file says what they may do:

- admin: every customer; import, save formats, re-score the stored cases;
- manager: every customer, read only;
- account: only the customers listed for that person, read only.

The restriction to a person's customers travels in queries.Filters.scope into every query
(queries/_customer_scope.sql), so a page, a download, a pack or a link cannot reach a case
the person may not see. Without an [auth] configuration the dashboard runs for one person on
their own machine (LOCAL): the pages say so.
"""

from __future__ import annotations

import getpass
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from dashboard.errors import DashboardError

DEFAULT_ACCESS_PATH = Path(__file__).resolve().parent.parent / "data" / "access.toml"
ACCESS_PATH_ENV = "SLA_ACCESS_PATH"
ROLES = ("admin", "manager", "account")
_TOP_LEVEL_KEYS = {"people", "accept_unverified_email_from"}
_PERSON_KEYS = {"role", "customers"}
# An address as identity providers give it: something@something.tld, no spaces, ASCII only:
# a look-alike letter ("\u212aim@", the Kelvin sign) lower-cases to a real one ("kim@").
_EMAIL = re.compile(r"^[!-?A-~]+@[!-?A-~]+\.[!-?A-~]+$")
MAX_CUSTOMER_LENGTH = 500


class AccessError(DashboardError):
    """The roles file is missing, unreadable or invalid."""


@dataclass(frozen=True)
class Person:
    """A signed-in visitor (or the one local user) and what they may do."""

    email: str  # as recorded on imports, re-scores and saved formats
    role: str
    customers: tuple[str, ...] = ()  # an account user's customers; empty for the others

    @property
    def scope(self) -> tuple[str, ...] | None:
        """The customers this person may see; None: every customer."""
        return self.customers if self.role == "account" else None

    @property
    def may_change_data(self) -> bool:
        """Import, save formats, re-score: the admin's alone."""
        return self.role == "admin"

    @property
    def label(self) -> str:
        """'ana@example.com (manager)', or for an account user their customers too."""
        if self.role == "account":
            return f"{self.email} (account: {', '.join(self.customers)})"
        return f"{self.email} ({self.role})"


def login_name() -> str:
    """The person at this machine, as imports and re-scores record them on the command line
    (and on the pages without sign-in)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container)
        return f"uid {os.getuid()}" if hasattr(os, "getuid") else "unknown"


def local_person() -> Person:
    """Without sign-in, the person at this machine: an admin, recorded by their login name."""
    return Person(email=f"{login_name()} (local, no sign-in)", role="admin")


@dataclass(frozen=True)
class AccessRules:
    """Everyone who may sign in, by lower-case e-mail address."""

    people: Mapping[str, Person]
    source: str  # the file's name, for messages
    # Issuers (the ID token's iss) whose addresses are the organisation's own, accepted without
    # an email_verified claim: Microsoft Entra ID sends none.
    unverified_issuers: tuple[str, ...] = ()

    def person(self, email: str | None) -> Person | None:
        """The person with this address (case does not matter), or None: no access."""
        if not email or not _EMAIL.match(email.strip()):
            return None
        return self.people.get(email.strip().lower())

    def admits(self, claims: Mapping) -> Person | None:
        """The person a signed-in visitor's claims (st.user) name, or None: no access. The
        address counts only when the provider vouches for it: email_verified true (a boolean,
        not the text "true"), or an issuer the file names."""
        email = claims.get("email")
        verified = claims.get("email_verified") is True
        trusted = claims.get("iss") in self.unverified_issuers
        if not isinstance(email, str) or not (verified or trusted):
            return None
        return self.person(email)


def access_path() -> Path:
    return Path(os.environ.get(ACCESS_PATH_ENV) or DEFAULT_ACCESS_PATH)


def load_access(path: str | Path | None = None) -> AccessRules:
    """Read and validate the roles file; every error names the file, the key and the value."""
    path = Path(path) if path is not None else access_path()
    name = path.name
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AccessError(
            f"{name}: no roles file at this path; sign-in is configured, so the dashboard "
            f"needs one to know who may see what (see the README, 'Deploying for a team')"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.reason if isinstance(exc, UnicodeDecodeError) else exc.strerror
        raise AccessError(f"{name}: cannot be read ({reason})") from None
    except tomllib.TOMLDecodeError as exc:
        raise AccessError(f"{name}: not valid TOML: {exc}") from None
    return parse_access(raw, source=name)


def parse_access(raw: Mapping, *, source: str) -> AccessRules:
    unknown = sorted(set(raw) - _TOP_LEVEL_KEYS)
    if unknown:
        raise AccessError(f'{source}: unknown key {unknown[0]!r} (expected: [people."ADDRESS"])')
    issuers = raw.get("accept_unverified_email_from", [])
    if not isinstance(issuers, list) or not all(
        isinstance(i, str) and i.startswith("https://") for i in issuers
    ):
        raise AccessError(
            f"{source}: accept_unverified_email_from = {issuers!r} must be a list of issuer "
            "addresses (https://...), as the provider's ID tokens name them (iss)"
        )
    people_raw = raw.get("people", {})
    if not isinstance(people_raw, Mapping):
        raise AccessError(f"{source}: people must be a table of addresses, not {people_raw!r}")
    people: dict[str, Person] = {}
    for email, entry in people_raw.items():
        person = _person(email, entry, source)
        key = person.email.lower()
        if key in people:
            raise AccessError(
                f"{source}: people.{email!r} is listed twice (addresses are compared "
                f"without regard to case: {people[key].email!r})"
            )
        people[key] = person
    return AccessRules(people=people, source=source, unverified_issuers=tuple(issuers))


def _person(email: object, entry: object, source: str) -> Person:
    where = f"{source}: people.{email!r}"
    if not isinstance(email, str) or not _EMAIL.match(email.strip()):
        raise AccessError(
            f"{where}: not an e-mail address such as ana@example.com (ASCII letters only)"
        )
    if not isinstance(entry, Mapping):
        raise AccessError(f"{where} must be a table with a role, not {entry!r}")
    unknown = sorted(set(entry) - _PERSON_KEYS)
    if unknown:
        raise AccessError(f"{where}: unknown key {unknown[0]!r} (expected: role, customers)")
    role = entry.get("role")
    if role not in ROLES:
        raise AccessError(f"{where}.role = {role!r} is not one of {', '.join(ROLES)}")
    customers = entry.get("customers", [])
    if not isinstance(customers, list) or not all(
        isinstance(c, str) and c.strip() and len(c) <= MAX_CUSTOMER_LENGTH for c in customers
    ):
        raise AccessError(f"{where}.customers = {customers!r} must be a list of customer names")
    if role == "account" and not customers:
        raise AccessError(
            f'{where}: an account user needs customers = ["..."], the customers they may see'
        )
    if role != "account" and customers:
        raise AccessError(
            f"{where}.customers: only an account user has a list of customers; a {role} "
            "sees every customer (remove the list, or make the role account)"
        )
    customers = [c.strip() for c in customers]
    return Person(email=email.strip(), role=role, customers=tuple(dict.fromkeys(customers)))
