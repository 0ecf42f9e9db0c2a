"""screening: first-responder screening for human trafficking."""

__version__ = "0.1.0"
