"""Sub-commands of ``teamsim``, one module per area; each has ``register(subparsers)``."""
