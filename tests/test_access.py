"""The roles file (dashboard/access.py): who may do what, validated like the policy."""

from __future__ import annotations

import pytest

from dashboard.access import (
    DEFAULT_ACCESS_PATH,
    AccessError,
    Person,
    load_access,
    local_person,
    parse_access,
)


def rules(text: str, tmp_path):
    path = tmp_path / "access.toml"
    path.write_text(text, encoding="utf-8")
    return load_access(path)


def test_people_and_their_roles(tmp_path):
    found = rules(
        """
        [people."Ana@Example.com"]
        role = "admin"
        [people."ben@example.com"]
        role = "manager"
        [people."chloe@example.com"]
        role = "account"
        customers = ["Acme", "Globex", "Acme"]
        """,
        tmp_path,
    )
    ana = found.person("ana@EXAMPLE.com")  # addresses compare without regard to case
    assert ana == Person("Ana@Example.com", "admin")
    assert ana.may_change_data
    assert ana.scope is None
    ben = found.person(" ben@example.com ")
    assert not ben.may_change_data
    assert ben.scope is None
    chloe = found.person("chloe@example.com")
    assert chloe.scope == ("Acme", "Globex")
    assert not chloe.may_change_data
    assert chloe.label == "chloe@example.com (account: Acme, Globex)"
    assert found.person("dan@example.com") is None
    assert found.person(None) is None
    assert found.person("") is None


VERIFIED = {"email": "ana@example.com", "email_verified": True, "iss": "https://idp.example"}


@pytest.mark.parametrize(
    ("claims", "admitted"),
    [
        (VERIFIED, True),
        ({**VERIFIED, "email_verified": False}, False),
        ({**VERIFIED, "email_verified": "true"}, False),  # a boolean, not the text
        ({**VERIFIED, "email_verified": 1}, False),
        ({k: v for k, v in VERIFIED.items() if k != "email_verified"}, False),
        ({"email": "ana@example.com", "iss": "https://login.example/tenant/v2.0"}, True),
        ({**VERIFIED, "email": "\u212ana@example.com"}, False),  # no look-alike letters
        ({**VERIFIED, "email": "ANA@example.com"}, True),
        ({**VERIFIED, "email": None}, False),
        ({"email_verified": True}, False),
    ],
)
def test_a_visitor_is_admitted_only_on_an_address_the_provider_vouches_for(
    tmp_path, claims, admitted
):
    found = rules(
        'accept_unverified_email_from = ["https://login.example/tenant/v2.0"]\n'
        '[people."ana@example.com"]\nrole = "admin"\n'
        '[people."\u212aim@example.com"]\nrole = "admin"\n'.replace("\u212a", "k"),
        tmp_path,
    )
    assert (found.admits(claims) is not None) is admitted
    assert found.person("\u212aim@example.com") is None  # Kelvin sign: lower() would give kim@


def test_the_shipped_file_lets_nobody_in_until_people_are_added():
    assert load_access(DEFAULT_ACCESS_PATH).people == {}


def test_without_sign_in_the_local_person_is_an_admin_named_by_login():
    person = local_person()
    assert person.role == "admin"
    assert person.scope is None
    assert "local, no sign-in" in person.email


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[people."a@example.com"]\nrole = "owner"\n', "role = 'owner' is not one of admin"),
        ('[people."a@example.com"]\nrole = "account"\n', "an account user needs customers"),
        ('[people."a@example.com"]\nrole = "account"\ncustomers = []\n', "needs customers"),
        ('[people."a@example.com"]\nrole = "account"\ncustomers = "Acme"\n',
         "customers = 'Acme' must be a list"),
        ('[people."a@example.com"]\nrole = "account"\ncustomers = [""]\n', "must be a list"),
        ('[people."a@example.com"]\nrole = "manager"\ncustomers = ["Acme"]\n',
         "only an account user has a list"),
        ('[people."a@example.com"]\nrole = "admin"\nteam = "x"\n', "unknown key 'team'"),
        ('[people."not an address"]\nrole = "admin"\n', "not an e-mail address"),
        ('[people."\u212aim@example.com"]\nrole = "admin"\n', "ASCII letters only"),
        ('accept_unverified_email_from = "https://x"\n', "must be a list of issuer"),
        ('accept_unverified_email_from = ["login.example"]\n', "must be a list of issuer"),
        ('[people."a@example.com"]\nrole = "admin"\n[people."A@example.com"]\nrole = "manager"\n',
         "listed twice"),
        ('[users."a@example.com"]\nrole = "admin"\n', "unknown key 'users'"),
        ('people = "everyone"\n', "people must be a table"),
        ('[people."a@example.com"\n', "not valid TOML"),
    ],
)  # fmt: skip
def test_a_bad_file_names_the_key_and_the_value(tmp_path, text, message):
    with pytest.raises(AccessError, match=r"access\.toml") as error:
        rules(text, tmp_path)
    assert message in str(error.value)


def test_a_missing_file_says_what_it_is_for(tmp_path):
    with pytest.raises(AccessError, match="no roles file") as error:
        load_access(tmp_path / "access.toml")
    assert "Deploying for a team" in str(error.value)


def test_parse_names_its_source():
    with pytest.raises(AccessError, match=r"^roles\.toml: "):
        parse_access({"people": {"x@example.com": {"role": "boss"}}}, source="roles.toml")
