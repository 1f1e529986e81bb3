"""teamsim: a team-incentive compensation simulator for staffing firms."""

__version__ = "0.1.0"
