#compdef discue

_discue_completion() {
  eval $(env _TYPER_COMPLETE_ARGS="${words[1,$CURRENT]}" _DISCUE_COMPLETE=complete_zsh discue)
}

compdef _discue_completion discue
