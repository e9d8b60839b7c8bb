"""The API's documentation page works in a real browser under the site's CSP: Swagger UI
comes from the site (drf-spectacular-sidecar), loads the schema and lists the operations.
The page fixture fails the test on any Content-Security-Policy violation."""

from playwright.sync_api import Page, expect


def test_the_api_docs_page_lists_the_operations(page: Page) -> None:
    response = page.goto("/api/docs/")
    assert response is not None and response.ok
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.get_by_text("/api/v1/cohorts/", exact=True).first).to_be_visible()
    expect(page.get_by_text("/api/v1/invitations/", exact=True).first).to_be_visible()
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Mentorship API")
