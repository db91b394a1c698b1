"""tpm: a keyboard-driven terminal workspace for a technical product manager."""

__version__ = "0.1.0"
