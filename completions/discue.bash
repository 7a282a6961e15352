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
complete -F _discue_complete discue
