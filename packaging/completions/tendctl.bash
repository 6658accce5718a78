# bash completion for tendctl: commands, options, and the names of the
# services of the running tend (from `tendctl status`).
_tendctl_services() {
    local socket=()
    [ -n "${1-}" ] && socket=(-s "$1")
    tendctl "${socket[@]}" status 2>/dev/null | awk '{print $1}'
}

# The replicas: sets: instance names (worker-0, worker-1) less their number.
_tendctl_sets() {
    _tendctl_services "$1" | sed -n 's/-[0-9][0-9]*$//p' | sort -u
}

_tendctl() {
    local cur prev words cword
    _init_completion || return
    local commands="status start stop restart signal pid wait shutdown health version reload logs events scale"
    local socket="" command="" i
    for ((i = 1; i < cword; i++)); do
        case ${words[i]} in
            -s|--socket) socket=${words[i + 1]}; ((i++)) ;;
            -*) ;;
            *) [ -z "$command" ] && command=${words[i]} ;;
        esac
    done
    case $prev in
        -s|--socket) _filedir; return ;;
        --timeout|-n|--lines) return ;;
        --state) COMPREPLY=($(compgen -W "running stopped starting backoff fatal exited completed failed" -- "$cur")); return ;;
        --for) COMPREPLY=($(compgen -W "started ready healthy completed" -- "$cur")); return ;;
    esac
    if [ -z "$command" ]; then
        COMPREPLY=($(compgen -W "$commands -s --socket --json -h --help --version" -- "$cur"))
        return
    fi
    local options="--json -s --socket -h --help"
    case $command in
        start|restart) options+=" --no-wait --timeout" ;;
        stop) options+=" --no-wait --timeout --with-dependants" ;;
        wait) options+=" --state --for --timeout" ;;
        logs) options+=" -n --lines -f --follow --clear" ;;
        reload) options+=" --dry-run" ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$options" -- "$cur"))
        return
    fi
    case $command in
        status|start|stop|restart|pid|wait|logs|signal)
            local words_list
            words_list=$(_tendctl_services "$socket")
            [ "$command" = signal ] && words_list+=" TERM HUP INT QUIT KILL USR1 USR2 WINCH"
            COMPREPLY=($(compgen -W "$words_list" -- "$cur")) ;;
        scale)
            # The set's name first, then a count (nothing to offer).
            local args=0
            for ((i = 1; i < cword; i++)); do
                case ${words[i]} in -s|--socket) ((i++)) ;; -*) ;; *) ((args++)) ;; esac
            done
            [ "$args" -eq 1 ] && COMPREPLY=($(compgen -W "$(_tendctl_sets "$socket")" -- "$cur")) ;;
    esac
}
complete -F _tendctl tendctl

_tend() {
    local cur prev words cword
    _init_completion || return
    local command="" i
    for ((i = 1; i < cword; i++)); do
        case ${words[i]} in
            --) return ;;  # after --, the command's own words
            -c|--config|--profile|--root|--grace|--remap-exit|--rewrite) ((i++)) ;;
            -*) ;;
            *) [ -z "$command" ] && command=${words[i]} ;;
        esac
    done
    case $prev in
        -c|--config) _filedir '@(yaml|yml)'; return ;;
        --root) _filedir -d; return ;;
        --profile|--grace|--remap-exit|--rewrite) return ;;
    esac
    local options
    case $command in
        check) options="-c --config --profile --root -h --help" ;;
        schema) options="-h --help" ;;
        import) options="--priority-order --root -h --help"
                if [[ $cur != -* ]]; then _filedir '@(conf|ini)'; return; fi ;;
        *) options="check schema import -c --config --profile --grace --remap-exit --rewrite --version -h --help --" ;;
    esac
    COMPREPLY=($(compgen -W "$options" -- "$cur"))
}
complete -F _tend tend
