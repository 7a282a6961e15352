"""discue completion bash|zsh|fish|powershell, and the hidden `discue __complete SHELL -- WORDS...`
that those scripts call on Tab.

The scripts are ours (not typer's), so what reaches the shell is too: candidates, some of them names
a server chose, are data. Each line `__complete` prints is one candidate with every control character
dropped, quoted for the shell that inserts it as typed (bash, PowerShell) and left bare where the shell
quotes it itself (zsh's compadd, fish). The first line says what kind of answer follows: `values`, or
`files` (let the shell complete a file name)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

import typer

from discue_cli.commands._common import run_local

COMPLETE_COMMAND = "__complete"


class Shell(StrEnum):
    bash = "bash"
    zsh = "zsh"
    fish = "fish"
    powershell = "powershell"


BASH = """\
# discue completion for bash: eval "$(discue completion bash)" in ~/.bashrc
_discue_complete() {
    local -a reply
    mapfile -t reply < <(discue __complete bash -- "${COMP_LINE:0:COMP_POINT}" "${COMP_WORDS[COMP_CWORD]}" 2>/dev/null)
    if [[ "${reply[0]}" == files ]]; then
        compopt -o default 2>/dev/null
        COMPREPLY=()
    else
        COMPREPLY=("${reply[@]:1}")
    fi
}
complete -F _discue_complete discue"""

ZSH = """\
#compdef discue
# discue completion for zsh: eval "$(discue completion zsh)" in ~/.zshrc, after compinit
_discue() {
    local -a reply
    reply=("${(@f)$(discue __complete zsh -- "${(@Q)words[1,CURRENT]}" 2>/dev/null)}")
    if [[ "${reply[1]}" == files ]]; then
        _files
    elif (( ${#reply} > 1 )); then
        compadd -U -- "${(@)reply[2,-1]}"
    fi
}
if [[ "${zsh_eval_context[-1]}" == loadautofunc ]]; then
    _discue "$@"
else
    compdef _discue discue
fi"""

FISH = """\
# discue completion for fish: discue completion fish | source (in ~/.config/fish/config.fish)
function __discue_complete
    set -l reply (discue __complete fish -- (commandline -opc) (commandline -ct) 2>/dev/null)
    if test "$reply[1]" = files
        __fish_complete_path (commandline -ct)
    else
        printf '%s\\n' $reply[2..-1]
    end
end
complete -c discue -f -a '(__discue_complete)'"""

POWERSHELL = """\
# discue completion for PowerShell: discue completion powershell | Out-String | Invoke-Expression (in $PROFILE)
Register-ArgumentCompleter -Native -CommandName discue -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)
    $words = @($commandAst.CommandElements | Where-Object { $_.Extent.EndOffset -le $cursorPosition } |
        ForEach-Object { $_.Extent.Text })
    if ($wordToComplete -eq '') { $words += '' }
    $reply = @(& discue __complete powershell -- @words 2>$null)
    if ($reply.Count -eq 0 -or $reply[0] -eq 'files') { return }
    $reply | Select-Object -Skip 1 | ForEach-Object {
        [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
    }
}"""

SCRIPTS = {"bash": BASH, "zsh": ZSH, "fish": FISH, "powershell": POWERSHELL}


def script(shell: str) -> str:
    """The completion script for a shell; it asks `discue` itself for candidates, so it never goes stale."""
    return SCRIPTS[shell] + "\n"


# --- the candidates ---------------------------------------------------------------------------------

# What bash may see bare in a word; anything else is escaped with a backslash (non-ASCII letters are safe).
BASH_SAFE = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@%+=:,./-")
POWERSHELL_SAFE = BASH_SAFE - {"@", "%", "+", "=", ",", ":"}
FILE_METAVARS = {"FILE", "PATH", "FILE...", "PATH..."}  # a value that names a file: the shell completes it
DROPPED = ("Cc", "Cf", "Zl", "Zp", "Cs")  # control, format (bidi), line/paragraph separators, surrogates


def printable(text: str) -> str:
    """The text with every control, format and separator character dropped: nothing a terminal acts on."""
    import unicodedata  # only on Tab: `discue --help` does not pay for it

    return "".join(c for c in text if unicodedata.category(c) not in DROPPED)


def quoted(candidate: str, shell: str) -> str:
    """A candidate as its shell takes it: literal text for bash/PowerShell, bare for zsh/fish (they quote)."""
    if shell == "bash":
        text = "".join(c if c in BASH_SAFE or not c.isascii() else "\\" + c for c in candidate)
        return text
    if shell == "powershell":
        if candidate and all(c in POWERSHELL_SAFE or (not c.isascii() and c.isalnum()) for c in candidate):
            return candidate
        # PowerShell treats the typographic single quotes as quotes too: each is doubled
        return "'" + "".join(c * 2 if c in "'\u2018\u2019\u201a\u201b" else c for c in candidate) + "'"
    return candidate


def unquoted(word: str) -> str:
    """A word as typed (quotes, backslashes, perhaps an unclosed quote) as the shell would pass it."""
    return split_line(word)[0][0] if word else ""


def split_line(line: str) -> list[tuple[str, str]]:
    """The words of a command line as typed so far, each (as the shell passes it, as typed); the last
    is the one at the cursor ("" after a space). Quotes may be unclosed: it is being typed."""
    words: list[tuple[str, str]] = []
    text: list[str] = []
    start: int | None = None
    quote = ""
    escaped = False
    for i, c in enumerate(line):
        if start is None:
            if c.isspace():
                continue
            start = i
        if escaped:
            text.append(c)
            escaped = False
        elif c == "\\" and quote != "'":
            escaped = True
        elif quote:
            if c == quote:
                quote = ""
            else:
                text.append(c)
        elif c in "'\"":
            quote = c
        elif c.isspace():
            words.append(("".join(text), line[start:i]))
            text, start = [], None
        else:
            text.append(c)
    words.append(("".join(text), line[start:] if start is not None else ""))
    return words


def candidates(words: list[str]) -> tuple[str, list[str]]:
    """What a Tab after `discue WORDS` offers: ("values", [...]) or ("files", [])."""
    from discue_cli.app import build_app
    from discue_cli.commands._argv import locate

    done, last = words[:-1], words[-1]
    name, eq, value = last.partition("=")
    if eq and name.startswith("--"):  # --option=VALUE: the option's values, each after `--option=`
        kind, found = candidates([*done, name, value])
        return kind, [f"{name}={v}" for v in found]
    root = typer.main.get_command(build_app(done))
    spot = locate(root, words)
    command = spot.path[-1]
    incomplete = spot.incomplete
    if spot.wants == "command":
        ctx = typer.Context(command, info_name="discue", resilient_parsing=True)
        names = [n for n in command.list_commands(ctx) if not getattr(command.commands[n], "hidden", False)]
        return "values", [n for n in names if n.startswith(incomplete)]
    if spot.wants == "option":
        from discue_cli.commands._argv import options

        names = {*options(command), *options(root)}  # the global options are taken after the verb too
        return "values", sorted(n for n in names if n.startswith(incomplete))
    param = spot.option or spot.argument
    if param is None:
        return "values", []
    choices = getattr(param.type, "choices", None)
    if choices:
        values = [str(getattr(c, "value", c)) for c in choices]
        return "values", [v for v in values if v.startswith(incomplete)]
    if FILE_METAVARS & set((param.metavar or "").split("|")):
        return "files", []
    ctx = typer.Context(root, info_name="discue", resilient_parsing=True)
    ctx.params = dict(spot.root_values)
    for sub in spot.path[1:]:
        ctx = typer.Context(sub, info_name=sub.name, parent=ctx, resilient_parsing=True)
    ctx.params = dict(spot.values) if len(spot.path) > 1 else ctx.params
    items: list[Any] = param.shell_complete(ctx, incomplete)
    if any(getattr(item, "type", "plain") in ("file", "dir") for item in items):
        return "files", []
    return "values", [str(getattr(item, "value", item)) for item in items]


def answer(shell: str, words: list[str]) -> list[str]:
    """The lines `discue __complete SHELL -- WORDS...` prints: the kind, then one candidate a line.

    bash passes the line up to the cursor and its own current word instead of words: it splits words
    at `=` and `:` too, and replaces only its current word, so a candidate loses what comes before it."""
    replaced = ""
    if shell == "bash":
        line, cur = (words + ["", ""])[:2]
        typed = split_line(line)
        words = [text for text, _raw in typed]
        raw = typed[-1][1]
        replaced = raw[: len(raw) - len(cur)] if cur and raw.endswith(cur) else ""
    elif shell == "powershell":  # the words as typed, quotes and all
        words = [unquoted(w) for w in words]
    elif shell == "fish" and words:  # `commandline -opc` is unquoted already; the word at the cursor is not
        words[-1] = unquoted(words[-1])
    words = words[1:]  # the first is `discue` itself
    try:
        kind, found = candidates(words or [""])
    except Exception:  # noqa: BLE001 - a Tab must never print a traceback into the user's command line
        return ["values"]
    shown = [quoted(printable(c), shell) for c in found]
    if replaced:
        shown = [c[len(replaced) :] for c in shown if c.startswith(replaced)]
    return [kind, *dict.fromkeys(c for c in shown if c)]


def complete_main(args: list[str]) -> int:
    """`discue __complete SHELL -- WORDS...` (hidden; what the scripts run). Never fails: a bad call answers nothing."""
    from discue_cli.output import version_line

    shell, words = (args[0], args[2:]) if len(args) >= 2 and args[1] == "--" else ("", [])
    lines = answer(shell, words) if shell in SCRIPTS else ["values"]
    version_line("\n".join(lines))
    return 0


def register(root: typer.Typer) -> None:
    @root.command("completion")
    def completion(
        ctx: typer.Context, shell: Annotated[Shell, typer.Argument(help="bash, zsh, fish or powershell.")]
    ) -> None:
        """Print the completion script for a shell: load it from the shell's rc file (see the examples).

        The same scripts are in the completions/ folder of discue's source."""
        run_local(ctx, lambda _o, _c, out: out.line(script(shell.value).rstrip("\n")))
