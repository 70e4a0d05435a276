"""SLA analytics for support teams: recompute business-hour response times from exports."""

__version__ = "0.1.0"
