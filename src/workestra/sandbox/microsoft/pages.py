"""HTML pages of the emulated Microsoft sign-in: sign-in, consent, admin approval, admin consent, errors.

Plain escaped HTML with stable ids, names and button labels for browser tests; no state here.
"""

from collections.abc import Iterable, Mapping
from html import escape


def _page(title: str, body: str) -> str:
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<title>{escape(title)}</title><link rel="icon" href="data:,"></head>\n<body>\n'
        "<p>Microsoft (sandbox)</p>\n"
        f"{body}\n</body></html>\n"
    )


def _hidden(name: str, value: str) -> str:
    return f'<input type="hidden" name="{escape(name)}" value="{escape(value)}">'


def sign_in(*, action: str, flow_id: str, app_name: str, email: str, error: str | None) -> str:
    alert = f'<p role="alert" id="error">{escape(error)}</p>\n' if error else ""
    return _page(
        "Sign in to your account",
        f"<h1>Sign in</h1>\n<p>to continue to {escape(app_name)}</p>\n{alert}"
        f'<form method="post" action="{escape(action)}">\n'
        f"{_hidden('flow', flow_id)}\n"
        '<label for="email">Email</label>\n'
        f'<input type="email" id="email" name="email" value="{escape(email)}" required>\n'
        '<label for="password">Password</label>\n'
        '<input type="password" id="password" name="password" required>\n'
        '<button type="submit" id="signin">Sign in</button>\n</form>',
    )


def consent(*, action: str, flow_id: str, app_name: str, email: str, permissions: Iterable[str]) -> str:
    items = "\n".join(f"<li>{escape(text)}</li>" for text in permissions)
    return _page(
        "Permissions requested",
        f"<h1>Permissions requested</h1>\n<p>{escape(email)}</p>\n"
        f"<p>{escape(app_name)} would like to:</p>\n<ul>\n{items}\n</ul>\n"
        f'<form method="post" action="{escape(action)}">\n{_hidden("flow", flow_id)}\n'
        '<button type="submit" name="decision" value="accept" id="accept">Accept</button>\n'
        '<button type="submit" name="decision" value="cancel" id="cancel">Cancel</button>\n'
        "</form>",
    )


def admin_approval(*, app_name: str, email: str, return_url: str) -> str:
    return _page(
        "Need admin approval",
        f"<h1>Need admin approval</h1>\n<p>{escape(email)}</p>\n"
        f"<p>{escape(app_name)} needs permission to access resources in your organization "
        "that only an admin can grant. Please ask an admin to grant permission to this app "
        "before you can use it.</p>\n"
        f'<p><a id="return" href="{escape(return_url)}">Return to the application</a></p>',
    )


def admin_consent(*, action: str, flow_id: str, app_name: str, email: str, permissions: Iterable[str]) -> str:
    """The admin's approval page of /adminconsent: consent on behalf of the whole organization."""
    items = "\n".join(f"<li>{escape(text)}</li>" for text in permissions)
    return _page(
        "Permissions requested - Accept for your organization",
        f"<h1>Permissions requested</h1>\n<p>{escape(email)}</p>\n"
        f"<p>{escape(app_name)} would like to:</p>\n<ul>\n{items}\n</ul>\n"
        '<p id="on-behalf">If you accept, this app gets access to the specified resources for all '
        "users in your organization. No one else will be prompted to review these permissions.</p>\n"
        f'<form method="post" action="{escape(action)}">\n{_hidden("flow", flow_id)}\n'
        '<button type="submit" name="decision" value="accept" id="accept">Accept</button>\n'
        '<button type="submit" name="decision" value="cancel" id="cancel">Cancel</button>\n'
        "</form>",
    )


def error(*, headline: str) -> str:
    return _page(
        "Sign in error",
        f'<h1>Sorry, but we\'re having trouble signing you in.</h1>\n<p id="error">{escape(headline)}</p>',
    )


def form_post(*, redirect_uri: str, params: Mapping[str, str]) -> str:
    """response_mode=form_post: a form that posts the response to the redirect URI."""
    fields = "\n".join(_hidden(name, value) for name, value in params.items())
    return _page(
        "Working...",
        f'<form method="post" action="{escape(redirect_uri)}" id="response">\n{fields}\n'
        '<noscript><button type="submit">Continue</button></noscript>\n</form>\n'
        "<script>document.getElementById('response').submit();</script>",
    )
