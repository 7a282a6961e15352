"""The typer layer: one module per noun, thin: parse, call api, hand to output."""
