"""Checks every page must pass in the browser: no sideways scrolling, thumb-sized targets, axe."""

from __future__ import annotations

from gemba_walk import PROJECT_ROOT

AXE = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def too_wide(page) -> list[str]:
    """The first elements of the page reaching past the screen's right edge (for a message)."""
    return page.evaluate(
        """[...document.querySelectorAll('body *')]
            .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1)
            .filter((el) => !el.closest('.table-scroll'))
            .slice(0, 3).map((el) => el.outerHTML.slice(0, 70))"""
    )


def small_touch_targets(page) -> list[str]:
    """Visible controls smaller than 44 px (a checkbox, or a file input hidden behind a button-like
    label, counts through its label)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('a, button, input, select, textarea, summary')]
            .filter(el => el.offsetParent !== null && !el.closest('.skip-link, .label'))
            .map(el => [el, (el.labels?.length && (['checkbox', 'radio'].includes(el.type)
                             || (el.type === 'file' && el.classList.contains('photo-input')))
                             ? el.labels[0] : el).getBoundingClientRect()])
            .filter(([el, r]) => r.height < 44 || (r.width < 44 && el.type !== 'hidden'))
            .map(([el, r]) => `${el.outerHTML.slice(0, 80)} ${r.width}x${r.height}`)"""
    )


def serious_accessibility_violations(page) -> list[str]:
    """What axe-core rates serious or critical (the page's context must bypass CSP)."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']}: {v['help']} ({v['nodes'][0]['html'][:80]})"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
