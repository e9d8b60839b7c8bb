"""The Content Security Policy holds in a real browser: an injected inline script does
not run, and the violation is what every browser test's page fixture watches for."""

from playwright.sync_api import Page

from tests.e2e.conftest import _watch_csp


def test_an_injected_inline_script_is_blocked(browser, live_server) -> None:
    context = browser.new_context(base_url=live_server.url)
    page: Page = context.new_page()
    violations = _watch_csp(page)
    try:
        response = page.goto("/")
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.evaluate(
            """() => {
                const s = document.createElement("script");
                s.textContent = "window.injected = true";
                document.body.appendChild(s);
            }"""
        )
        assert page.evaluate("() => window.injected === undefined")
        page.wait_for_timeout(100)
        assert violations, "the blocked script should be reported"
    finally:
        context.close()
