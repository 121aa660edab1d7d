"""imrsearch: fielded full-text search over California IMR final determination letters."""

__version__ = "0.1.0"
