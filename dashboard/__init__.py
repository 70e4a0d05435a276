"""SLA analytics for support teams: recompute business-hour response times from exports."""

__version__ = "0.2.0"  # schema 5: a database upgraded by this release is refused by 0.1.0
