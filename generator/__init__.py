"""Causerie: French two-host podcast explainers from your documents, made locally."""

__version__ = "0.1.0"
