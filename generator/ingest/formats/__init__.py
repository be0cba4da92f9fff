"""One module per format; importing them registers them (in the order --help lists them)."""

from . import txt, md, web, pdf, word, whatsapp  # noqa: F401
