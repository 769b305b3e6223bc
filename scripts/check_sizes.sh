#!/usr/bin/env bash
# The house's size limits for src/ and apps/ (tests and generated code aside):
#   - no .cc file longer than 1,000 lines;
#   - no function longer than 150 lines: definitions at column 0 (free functions, out-of-class
#     members) and at column 2 inside a class defined at column 0 (inline members), from the first
#     line of the signature to the "}" of the same indentation — the layout clang-format keeps.
# Places over a limit today are listed in scripts/size_limits.txt with their current size; they
# may shrink, never grow: the entry must follow each shrink, and an entry back under its limit
# must leave the list, so the list only ever gets shorter and smaller. Exit status 1 names each breach.
#
#   scripts/check_sizes.sh          check
#   scripts/check_sizes.sh --list   print every place over a limit (to write the list)
set -uo pipefail
cd "$(dirname "$0")/.."
readonly kFileLimit=1000 kFunctionLimit=150
measure() {
  find src apps -name '*.cc' ! -name '*_test.cc' ! -path '*/generated/*' | sort | while read -r f; do
    lines=$(wc -l < "$f")
    [ "$lines" -gt "$kFileLimit" ] && echo "file $f $lines"
    awk -v file="$f" -v limit="$kFunctionLimit" '
      # Definitions at column 0 (free functions, out-of-class members) and at column 2 inside a
      # class or struct defined at column 0 (inline members): text that is not a type, a
      # declaration or a preprocessor line, whose signature (possibly over several lines) ends in
      # "{"; the function ends at the "}" of the same indentation.
      function report(indent_start, text,   n, k, parts, fn) {
        n = NR - indent_start + 1
        if (n <= limit) return
        sub(/\(.*/, "", text); k = split(text, parts, " "); fn = parts[k]; sub(/^[*&]+/, "", fn)
        print "function " file ":" fn " " n
      }
      /^(class|struct) [^;]*\{[ \t]*$/ { in_class = 1; next }
      in_class && /^\};/ { in_class = 0; next }
      {
        for (d = 0; d <= 1; ++d) {
          ind = d == 0 ? "" : "  "
          if (d == 1 && !in_class) continue
          if (start[d] > 0) {
            if (index($0, ind "}") == 1 && substr($0, length(ind) + 1, 1) == "}") {
              report(start[d], name[d]); start[d] = 0
            }
            continue
          }
          if (pending[d]) {
            if (($0 ~ /;[ \t]*$/ && $0 !~ /\{/) || $0 ~ /\}[ \t]*$/) { pending[d] = 0; continue }
            if ($0 ~ /\{[ \t]*$/) { start[d] = first[d]; pending[d] = 0 }
            continue
          }
          line = $0
          if (substr(line, 1, length(ind)) != ind) continue
          rest = substr(line, length(ind) + 1)
          if (rest !~ /^[A-Za-z_~]/) continue
          if (rest ~ /^(namespace|using|typedef|template <[^>]*>$|extern|static_assert|class|struct|enum|union|friend|public|private|protected)/) continue
          if (rest ~ /;[ \t]*$/ || rest ~ /\}[ \t]*$/) continue  # a declaration or a one-liner
          name[d] = rest; first[d] = NR
          if (rest ~ /\{[ \t]*$/) { start[d] = NR } else { pending[d] = 1 }
        }
      }
    ' "$f"
  done
}
if [ "${1:-}" = "--list" ]; then measure; exit 0; fi
current=$(measure)
failed=0
while read -r kind place size; do
  [ -z "$kind" ] && continue
  allowed=$(awk -v k="$kind" -v p="$place" '$1 == k && $2 == p { print $3 }' scripts/size_limits.txt)
  if [ -z "$allowed" ]; then
    echo "check_sizes: $kind $place has $size lines, over the limit (file $kFileLimit, function $kFunctionLimit): split it"
    failed=1
  elif [ "$size" -gt "$allowed" ]; then
    echo "check_sizes: $kind $place grew to $size lines (listed at $allowed in scripts/size_limits.txt); it may only shrink"
    failed=1
  elif [ "$size" -lt "$allowed" ]; then
    echo "check_sizes: $kind $place shrank to $size lines: lower its entry in scripts/size_limits.txt (from $allowed) so it cannot grow back"
    failed=1
  fi
done <<< "$current"
while read -r kind place size; do
  case "$kind" in ''|'#'*) continue ;; esac
  if ! grep -q "^$kind $place " <<< "$current"; then
    echo "check_sizes: $kind $place is within the limit now: remove it from scripts/size_limits.txt"
    failed=1
  fi
done < scripts/size_limits.txt
[ $failed -eq 0 ] && echo "check_sizes: $(grep -c '^[a-z]' scripts/size_limits.txt) listed places over the limits, none grew; nothing new over them"
exit $failed
