"""`discue listen`: the receiver that a temporary listener points at."""
