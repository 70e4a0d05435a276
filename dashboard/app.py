"""The Streamlit dashboard: `streamlit run dashboard/app.py` (or `make run`).

The router: page setup, the sidebar filters every page shares, and st.navigation over the
pages in dashboard/app_pages/. SLA_DATABASE_URL picks the database (default: the embedded
SQLite file, which starts with the bundled sample); SLA_POLICY_PATH another policy file.
With [auth] in .streamlit/secrets.toml, visitors sign in first and see what the roles file
(SLA_ACCESS_PATH, default data/access.toml) lets them: the Import page is an admin's alone.
"""

from __future__ import annotations

import streamlit as st

from dashboard import ui
from dashboard.errors import DashboardError

st.set_page_config(page_title="SLA dashboard", page_icon=":material/speed:", layout="wide")

PAGES = [
    st.Page("app_pages/overview.py", title="Overview", icon=":material/dashboard:",
            default=True),
    st.Page("app_pages/attainment.py", title="SLA attainment", icon=":material/timer:",
            url_path="attainment"),
    st.Page("app_pages/backlog.py", title="Backlog", icon=":material/inbox:", url_path="backlog"),
    st.Page("app_pages/dismissals.py", title="Scope and dismissals", icon=":material/block:",
            url_path="dismissals"),
    st.Page("app_pages/customers.py", title="Customers", icon=":material/groups:",
            url_path="customers"),
    st.Page("app_pages/reconciliation.py", title="Reconciliation", icon=":material/compare_arrows:",
            url_path="reconciliation"),
    st.Page("app_pages/import_data.py", title="Import", icon=":material/upload_file:",
            url_path="import"),
    st.Page("app_pages/sources.py", title="Data sources", icon=":material/database:",
            url_path="sources"),
    st.Page("app_pages/policy.py", title="Policy", icon=":material/policy:", url_path="policy"),
]  # fmt: skip

try:
    person = ui.sign_in()
except DashboardError as exc:  # the roles or secrets file is invalid: nobody gets in
    ui.error(str(exc))
    st.stop()
ADMIN_ONLY = {"import"}  # pages that change data; the pages check the role again themselves
page = st.navigation([p for p in PAGES if person.may_change_data or p.url_path not in ADMIN_ONLY])
try:
    ui.sidebar()
    ui.stale_policy_notice()
except DashboardError as exc:  # e.g. the database cannot be reached or the policy is invalid
    ui.error(str(exc))
    ui.who()  # signing out stays possible
    st.stop()
ui.who()
page.run()
