# Prints the completions zsh offers after the words in $1, with the completion
# functions in the directory $2. Drives an interactive zsh through zsh/zpty;
# markers are written split in two so the terminal's echo of what is typed
# never looks like a result.
zmodload zsh/zpty || exit 2
zpty z zsh -f -i
zpty -w z "PROMPT=''; RPROMPT=''; fpath=($2 \$fpath); autoload -Uz compinit; compinit -u -D"
zpty -w z 'compadd () { local -a __hits; builtin compadd -O __hits "$@"; local h; for h in $__hits; do print -r -- "HI""T:$h:"; done; builtin compadd "$@" }'
zpty -w z 'comptest () { zle -I; print -r -- "EN""D-OF-TEST" }; zle -N comptest; bindkey "^T" comptest'
zpty -n -w z "$1"$'\t'$'\x14'
out=""
tries=0
while (( ++tries < 400 )); do
  if zpty -r -t z chunk 2>/dev/null; then out+="$chunk"; else sleep 0.05; fi
  [[ $out == *"END-OF-TEST"* ]] && break
done
print -r -- "$out" | tr '\r' '\n' | grep -o 'HIT:[^:]*:' | sed 's/^HIT://; s/:$//' | sort -u
zpty -d z
