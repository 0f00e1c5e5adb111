from tests.support.smtp import smtp_sink

__all__ = ["smtp_sink"]
