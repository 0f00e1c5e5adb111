from tests.support.browser import browser, page, page_errors

__all__ = ["browser", "page", "page_errors"]
