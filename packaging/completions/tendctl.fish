# fish completion for tend and tendctl: commands, options, and the names of
# the services of the running tend (from `tendctl status`).
function __tendctl_services
    set -l socket
    set -l tokens (commandline -opc)
    for i in (seq (count $tokens))
        if contains -- $tokens[$i] -s --socket; and test $i -lt (count $tokens)
            set socket -s $tokens[(math $i + 1)]
        end
    end
    tendctl $socket status 2>/dev/null | awk '{print $1}'
end

# The replicas: sets: instance names (worker-0, worker-1) less their number.
function __tendctl_sets
    __tendctl_services | sed -n 's/-[0-9][0-9]*$//p' | sort -u
end

set -l commands status start stop restart signal pid wait shutdown health version reload logs events scale
complete -c tendctl -f
complete -c tendctl -s s -l socket -r -F -d 'Control socket'
complete -c tendctl -l json -d 'Print the raw JSON result'
complete -c tendctl -l version -d 'Show version'
for entry in 'status:Show services' 'start:Start services' 'stop:Stop services' 'restart:Restart services' 'signal:Signal services' 'pid:Print a main pid' 'wait:Wait for a state' 'shutdown:Stop everything and exit tend' 'health:Exit 0 when healthy' 'version:Print the version of tend' 'reload:Re-read the config' 'logs:Print output lines' 'events:Print state changes as they happen' 'scale:Run N instances of a replicas set'
    set -l parts (string split -m 1 : -- $entry)
    complete -c tendctl -n "not __fish_seen_subcommand_from $commands" -a $parts[1] -d $parts[2]
end
complete -c tendctl -n "__fish_seen_subcommand_from status start stop restart signal pid wait logs" -a '(__tendctl_services)'
complete -c tendctl -n "__fish_seen_subcommand_from scale; and test (count (commandline -opc)) -le 2" -a '(__tendctl_sets)'
complete -c tendctl -n "__fish_seen_subcommand_from signal" -a 'TERM HUP INT QUIT KILL USR1 USR2 WINCH'
complete -c tendctl -n "__fish_seen_subcommand_from start stop restart" -l no-wait -d 'Return at once'
complete -c tendctl -n "__fish_seen_subcommand_from start stop restart wait" -l timeout -x -d 'Seconds to wait'
complete -c tendctl -n "__fish_seen_subcommand_from stop" -l with-dependants -d 'Stop running dependants first'
complete -c tendctl -n "__fish_seen_subcommand_from wait" -l state -x -a 'running stopped starting backoff fatal exited completed failed'
complete -c tendctl -n "__fish_seen_subcommand_from wait" -l for -x -a 'started ready healthy completed'
complete -c tendctl -n "__fish_seen_subcommand_from logs" -s n -l lines -x -d 'Last N lines'
complete -c tendctl -n "__fish_seen_subcommand_from logs" -s f -l follow -d 'Follow'
complete -c tendctl -n "__fish_seen_subcommand_from logs" -l clear -d 'Forget the kept lines'
complete -c tendctl -n "__fish_seen_subcommand_from reload" -l dry-run -d 'Print the plan only'

set -l tend_commands check schema import
complete -c tend -f
complete -c tend -n "not __fish_seen_subcommand_from $tend_commands" -s c -l config -r -F -d 'Config file'
complete -c tend -n "not __fish_seen_subcommand_from schema import" -l profile -x -d 'Start this compose profile too'
complete -c tend -n "not __fish_seen_subcommand_from $tend_commands" -l grace -x -d 'With --: grace before SIGKILL'
complete -c tend -n "not __fish_seen_subcommand_from $tend_commands" -l remap-exit -x -d 'With --: FROM:TO'
complete -c tend -n "not __fish_seen_subcommand_from $tend_commands" -l rewrite -x -d 'With --: SIG:SIG'
complete -c tend -n "not __fish_seen_subcommand_from $tend_commands" -l version -d 'Show version'
complete -c tend -n '__fish_use_subcommand' -a check -d 'Validate a config'
complete -c tend -n '__fish_use_subcommand' -a schema -d 'Print the config JSON Schema'
complete -c tend -n '__fish_use_subcommand' -a import -d 'Print a tend.yaml equivalent to a supervisord config'
complete -c tend -n '__fish_seen_subcommand_from check' -s c -l config -r -F -d 'Config file'
complete -c tend -n '__fish_seen_subcommand_from check import' -l root -x -a '(__fish_complete_directories)' -d 'Image root'
complete -c tend -n '__fish_seen_subcommand_from import' -l priority-order -d 'Each priority level depends on the one below'
complete -c tend -n '__fish_seen_subcommand_from import' -F
