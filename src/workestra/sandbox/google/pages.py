"""HTML pages of the emulated Google sign-in: sign-in, consent (granular tick boxes), errors.

Plain escaped HTML with stable ids, names and button labels for browser tests; no state here.
"""

from collections.abc import Iterable
from html import escape


def _page(title: str, body: str) -> str:
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<title>{escape(title)}</title><link rel="icon" href="data:,"></head>\n<body>\n'
        "<p>Google (sandbox)</p>\n"
        f"{body}\n</body></html>\n"
    )


def _hidden(name: str, value: str) -> str:
    return f'<input type="hidden" name="{escape(name)}" value="{escape(value)}">'


def sign_in(*, action: str, flow_id: str, app_name: str, email: str, error: str | None) -> str:
    alert = f'<p role="alert" id="error">{escape(error)}</p>\n' if error else ""
    return _page(
        "Sign in - Google Accounts",
        f"<h1>Sign in</h1>\n<p>to continue to {escape(app_name)}</p>\n{alert}"
        f'<form method="post" action="{escape(action)}">\n'
        f"{_hidden('flow', flow_id)}\n"
        '<label for="email">Email or phone</label>\n'
        f'<input type="email" id="email" name="email" value="{escape(email)}" required>\n'
        '<label for="password">Enter your password</label>\n'
        '<input type="password" id="password" name="password" required>\n'
        '<button type="submit" id="signin">Next</button>\n</form>',
    )


def consent(
    *,
    action: str,
    flow_id: str,
    app_name: str,
    email: str,
    always: Iterable[str],
    choices: Iterable[tuple[str, str, bool]],
) -> str:
    """`always`: what sign-in grants anyway; `choices`: (scope, text, ticked) tick boxes."""
    fixed = "\n".join(f"<li>{escape(text)}</li>" for text in always)
    boxes = "\n".join(
        f'<li><input type="checkbox" name="scope" value="{escape(scope)}" id="scope-{index}"'
        f'{" checked" if ticked else ""}> <label for="scope-{index}">{escape(text)}</label></li>'
        for index, (scope, text, ticked) in enumerate(choices)
    )
    return _page(
        f"{app_name} wants access to your Google Account",
        f"<h1>{escape(app_name)} wants access to your Google Account</h1>\n<p>{escape(email)}</p>\n"
        f'<form method="post" action="{escape(action)}">\n{_hidden("flow", flow_id)}\n'
        f"<ul>\n{fixed}\n</ul>\n<p>Select what {escape(app_name)} can access</p>\n<ul>\n{boxes}\n</ul>\n"
        '<button type="submit" name="decision" value="allow" id="allow">Continue</button>\n'
        '<button type="submit" name="decision" value="deny" id="deny">Cancel</button>\n'
        "</form>",
    )


def error(*, code: str, message: str) -> str:
    """Google's own error page ("Error 400: redirect_uri_mismatch"): never a redirect."""
    return _page(
        "Error",
        f'<h1>Access blocked: Authorization Error</h1>\n<p id="error">Error {escape(code)}</p>\n'
        f'<p id="message">{escape(message)}</p>',
    )
