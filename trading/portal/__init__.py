"""The web front (server-rendered pages): layout, sign-in by cookie, CSRF, zh/en, static files,
and the pages over the core's data. Feature packages render their own pages (`portal_pages()`)
with the helpers in `trading.portal.web` and the base template `portal/base.html`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

STATIC_DIR = Path(__file__).parent / "static"
TEMPLATE_DIR = Path(__file__).parent / "templates"


def route_handlers() -> list[Any]:
    from litestar.static_files import create_static_files_router

    from trading.portal import account, oversight, projects, public, staff
    from trading.portal.controllers import front_page

    return [
        front_page,
        account.login_form,
        account.log_in,
        account.log_out,
        account.switch_language,
        account.my_account,
        account.sign_up_form,
        account.sign_up,
        public.announcement_list,
        public.announcement_page,
        public.disclosure,
        public.verify_form,
        public.verify_page,
        # Staff, supervisors and auditors (trading/portal/staff.py, projects.py, oversight.py).
        oversight.router(),
        staff.router(),
        projects.router(),
        create_static_files_router(
            path="/static",
            directories=[STATIC_DIR],
            opt={"exclude_from_auth": True},
            include_in_schema=False,
        ),
    ]
