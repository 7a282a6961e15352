"""Help in one place: the examples of every command, the help topics, and one pass over the built
command tree that adds the Examples sections and gives every placeholder an UPPERCASE name.

Kept out of the command functions on purpose: a verb's signature says what it takes, this file
says how to show it. A command missing here has no Examples section (a test lists the ones missing).
"""

from __future__ import annotations

from typing import Any

EXAMPLES: dict[str, list[str]] = {
    "": [
        "discue --local queues create myapp.io/orders",
        "discue queues list",
        "discue messages add myapp.io/orders '{\"id\": 1}'",
        "discue help exit-codes",
    ],
    "queues": ["discue queues list", "discue queues create myapp.io/orders --if-not-exists -q"],
    "queues list": ["discue queues list", "discue queues list --limit 10 --json"],
    "queues get": ["discue queues get myapp.io/orders", "discue queues get myapp.io/orders --jq .queue.id"],
    "queues create": [
        "discue queues create myapp.io/orders",
        "discue queues create myapp.io/orders --if-not-exists -q",
    ],
    "queues update": ["discue queues update myapp.io/orders --name myapp.io/orders-v2"],
    "queues delete": ["discue queues delete myapp.io/orders", "discue queues delete myapp.io/a myapp.io/b --yes"],
    "listeners": ["discue listeners list", "discue listeners get myapp.io/orders mailer"],
    "listeners list": ["discue listeners list", "discue listeners list myapp.io/orders --embed"],
    "listeners get": ["discue listeners get myapp.io/orders mailer"],
    "listeners add": [
        "discue listeners add myapp.io/orders mailer --notify-url https://myapp.io/hook"
        " --liveness-url https://myapp.io/live",
    ],
    "listeners update": ["discue listeners update myapp.io/orders mailer --notify-url https://myapp.io/v2/hook"],
    "listeners delete": ["discue listeners delete myapp.io/orders mailer --yes"],
    "messages": ["discue messages add myapp.io/orders '{\"id\": 1}'", "discue messages list myapp.io/orders"],
    "messages list": ["discue messages list", "discue messages list myapp.io/orders --embed --json"],
    "messages get": ["discue messages get myapp.io/orders 8476f9ea-50f7-4471-a0a9-d0def6d5951f"],
    "messages add": [
        "discue messages add myapp.io/orders '{\"id\": 1}'",
        "discue messages add myapp.io/orders --data-file order.json",
        "discue messages add myapp.io/orders --batch orders.jsonl -q > ids.txt",
    ],
    "messages update": ["discue messages update myapp.io/orders 8476f9ea-50f7-4471-a0a9-d0def6d5951f --name m-1"],
    "messages delete": ["discue messages delete myapp.io/orders 8476f9ea-50f7-4471-a0a9-d0def6d5951f --yes"],
    "messages watch": ["discue messages watch myapp.io/orders", "discue messages watch myapp.io/orders --json"],
    "messages count": ["discue messages count myapp.io/orders", "discue messages count myapp.io/orders --jq .count"],
    "api-keys": ["discue api-keys list", "discue api-keys create --name ci"],
    "api-keys list": ["discue api-keys list"],
    "api-keys get": ["discue api-keys get 0644659f-b47b-4668-86dd-a496cb7fbc76"],
    "api-keys create": ["discue api-keys create --name ci", "discue api-keys create --name ci --jq .api_key.key"],
    "api-keys update": ["discue api-keys update 0644659f-b47b-4668-86dd-a496cb7fbc76 --status disabled"],
    "api-keys delete": ["discue api-keys delete 0644659f-b47b-4668-86dd-a496cb7fbc76 --yes"],
    "api-clients": ["discue api-clients create example.com/dev"],
    "api-clients create": ["discue api-clients create example.com/dev"],
    "api-clients update": ["discue api-clients update 0644659f-b47b-4668-86dd-a496cb7fbc76 --name example.com/prod"],
    "api": ["discue api GET /queues --query _embed=true", 'discue api POST /queues --data \'{"name": "orders"}\''],
    "auth": ["discue auth login", "printf '%s\\n' \"$KEY\" | discue auth login --with-key", "discue auth status"],
    "auth login": ["discue auth login", "printf '%s\\n' \"$KEY\" | discue --profile ci auth login --with-key"],
    "auth status": ["discue auth status", "discue --profile ci auth status"],
    "auth logout": ["discue auth logout", "discue --profile ci auth logout"],
    "config": ["discue config list", "discue --profile staging config set api_endpoint https://staging.example/v1"],
    "config set": ["discue config set timeout 10", "discue --profile staging config set retries 5"],
    "config get": ["discue config get api_endpoint"],
    "config unset": ["discue config unset timeout"],
    "config list": ["discue config list", "discue --profile staging config list"],
    "config path": ["discue config path", '$EDITOR "$(discue config path)"'],
    "emulator": ["discue emulator serve", 'eval "$(discue emulator env)"'],
    "emulator serve": ["discue emulator serve", "discue emulator serve --port 0 --db test.sqlite3 --no-deliver"],
    "emulator env": ["discue emulator env", 'eval "$(discue emulator env --db ./dev.sqlite3)"'],
    "completion": [
        """echo 'eval "$(discue completion bash)"' >> ~/.bashrc""",
        """echo 'eval "$(discue completion zsh)"' >> ~/.zshrc   # after compinit""",
        "echo 'discue completion fish | source' >> ~/.config/fish/config.fish",
        "discue completion powershell | Out-String | Invoke-Expression   # in $PROFILE",
    ],
    "help": ["discue help", "discue help exit-codes", "discue help queues create"],
    "apply": ["discue apply", "discue apply -f discue.toml --dry-run", "discue apply --check"],
    "export": ["discue export > discue.toml", "discue export myapp.io/orders"],
    "listen": [
        "discue listen myapp.io/orders",
        "discue listen myapp.io/orders --forward-to http://localhost:3000/hook",
    ],
    "stats": ["discue stats"],
    "events": ["discue events --type queues --limit 20"],
    "top": ["discue top", "discue top orders --interval 5", "discue top --once --json | jq '.queues[0]'"],
    "domains": ["discue domains list", "discue domains create app --hostname myapp.io"],
    "domains list": ["discue domains list"],
    "domains get": ["discue domains get app"],
    "domains create": ["discue domains create app --hostname myapp.io --port 443"],
    "domains update": ["discue domains update app --hostname www.myapp.io"],
    "domains delete": ["discue domains delete app --yes"],
}

# The nouns people come for first; the rest keep the order they were registered in.
FIRST = (
    "queues",
    "listeners",
    "messages",
    "apply",
    "export",
    "listen",
    "stats",
    "events",
    "top",
    "api-keys",
    "api-clients",
    "domains",
    "auth",
    "config",
    "emulator",
)

# The help topics: each is docs/TOPIC.md, shipped in the package, shown by `discue help TOPIC`. A topic's
# name is never a command's (`discue help queues` stays the noun's help); a test checks both ways.
TOPICS: dict[str, str] = {
    "output": "output formats, --jq, and what reaches your terminal",
    "exit-codes": "errors and exit codes",
    "retries": "retries, timeouts and proxies",
    "bulk-sends": "messages add --batch: the three kinds of lines, concurrency, --rate",
    "settings": "profiles, the config file, environment variables, global options anywhere",
    "generations": "the API generations (2022-05, 2023-04, 2024-08) and auto",
    "declarative": "apply and export: queues and listeners from a file",
    "listening": "listen: deliveries to your laptop",
    "local-discue": "--local and emulator serve: deliveries, fidelity, lockout, pagination",
    "shell-completion": "tab completion for bash, zsh, fish and PowerShell",
    "live-view": "top: the live view of queues and listeners",
}


def epilog(path: str) -> str | None:
    lines = EXAMPLES.get(path)
    if not lines:
        return None
    return "Examples:\n\n\b\n" + "\n".join(f"  $ {line}" for line in lines)


def ordered(names: list[str]) -> list[str]:
    return [n for n in FIRST if n in names] + [n for n in names if n not in FIRST]


def polish(command: Any, path: str = "") -> None:
    """Examples and UPPERCASE placeholders on every command of a built click tree; a bare group prints help."""
    command.epilog = epilog(path) or command.epilog
    if hasattr(command, "commands"):
        help_when_bare(command)
    for param in command.params:
        if param.param_type_name == "argument":
            uppercase_argument(param)
        elif not param.is_flag and not param.count and (param.metavar is None or param.metavar.startswith("<")):
            param.metavar = option_metavar(param)
    for name, sub in getattr(command, "commands", {}).items():
        polish(sub, f"{path} {name}".strip())


def help_when_bare(group: Any) -> None:
    """`discue` or `discue queues` alone: the help on stdout and exit 0, not a usage error (exit 2)."""
    parse_args = group.parse_args

    def parse_or_help(ctx: Any, args: list[str]) -> list[str]:
        if not args and not ctx.resilient_parsing:
            from typer import Exit

            from discue_cli.output import Output

            Output().line(ctx.get_help())
            raise Exit(0)
        return parse_args(ctx, args)

    group.parse_args = parse_or_help


def option_metavar(option: Any) -> str:
    """What an option without a metavar shows: its choices, N for a count, SECONDS, or its own name."""
    choices = getattr(option.type, "choices", None)
    if choices:
        return "|".join(str(c) for c in choices)
    kind = getattr(option.type, "name", "")
    if kind.startswith(("int", "integer")):
        return "N"
    if kind.startswith("float"):
        return "SECONDS"
    long_names = [o for o in option.opts if o.startswith("--")] or option.opts
    return long_names[0].lstrip("-").replace("-", "_").upper()


def uppercase_argument(argument: Any) -> None:
    """NAME in the argument list, NAME or [NAME] in the usage line (typer would write {name} and [data])."""
    shown = (argument.metavar or argument.name or "").strip("[]").upper()
    if argument.nargs != 1 and not shown.endswith("..."):
        shown += "..."
    argument.metavar = shown

    def make_metavar(ctx: Any = None, *, usage: bool = False) -> str:
        return shown if argument.required or not usage else f"[{shown}]"

    argument.make_metavar = make_metavar
