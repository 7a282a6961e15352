"""discue: the command line for discue queues."""

__version__ = "0.1.0"
