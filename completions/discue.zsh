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
fi
