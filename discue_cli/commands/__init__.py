"""The typer layer: one module per noun, thin: parse, call api, hand to output."""

# noun -> the module under discue_cli.commands that defines it
NOUNS = {
    "queues": "queues",
    "listeners": "listeners",
    "messages": "messages",
    "api-keys": "api_keys",
    "api-clients": "api_clients",
    "api": "raw",
    "apply": "apply",
    "export": "export",
    "listen": "listen",
    "auth": "auth",
    "config": "config",
    "emulator": "emulator",
    "completion": "completion",
    "stats": "stats",
    "events": "events",
    "domains": "domains",
    "help": "help",
    "top": "top",
}
