"""``{% nav %}``: the menu of ``templates/_nav.html``, rendered once per
kind of user and page and then reused.

The menu is the same for every user with the same role on the same page
(two dozen ``{% url %}`` and ``{% translate %}`` on every staff page), so
each process keeps the HTML per (language, script prefix and URLconf, role, whether the
user has a school / county / admin access, the page's view name and
namespace): what ``_nav.html`` may read. A menu item that depends on more
than these must not go in ``_nav.html``.
"""

from __future__ import annotations

from django import template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf
from django.utils.safestring import SafeString
from django.utils.translation import get_language

register = template.Library()

_MENUS: dict[tuple, SafeString] = {}
_MAX_MENUS = 4096  # kinds of user × pages; far more than the site has


@register.simple_tag(takes_context=True)
def nav(context) -> SafeString:
    """The menu items (``<li>``) for the signed-in ``user`` on this page."""
    user = context["user"]
    match = getattr(context.get("request"), "resolver_match", None)
    key = (
        get_language(),
        get_script_prefix(),
        get_urlconf() or settings.ROOT_URLCONF,
        user.role,
        user.school_id is not None,
        getattr(user, "county_id", None) is not None,
        user.is_staff,
        match.view_name if match else "",
        match.namespace if match else "",
    )
    html = _MENUS.get(key)
    if html is None:
        html = context.template.engine.get_template("_nav.html").render(context)
        if len(_MENUS) >= _MAX_MENUS:
            _MENUS.clear()
        _MENUS[key] = html
    return html
