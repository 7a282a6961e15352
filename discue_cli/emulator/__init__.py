"""The local discue: a v0.1.0 implementation on Starlette and SQLite. Knows nothing of typer or rich."""
