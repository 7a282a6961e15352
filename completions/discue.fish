# discue completion for fish: discue completion fish | source (in ~/.config/fish/config.fish)
function __discue_complete
    set -l reply (discue __complete fish -- (commandline -opc) (commandline -ct) 2>/dev/null)
    if test "$reply[1]" = files
        __fish_complete_path (commandline -ct)
    else
        printf '%s\n' $reply[2..-1]
    end
end
complete -c discue -f -a '(__discue_complete)'
