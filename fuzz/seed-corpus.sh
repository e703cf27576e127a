#!/usr/bin/env bash
# Builds the seed corpus of the `pattern` fuzz target from the patterns of the test suites
# (tests/pattern_*.rs) and the CloudTrail fixtures: one file per pattern, the pattern on the
# first line and a log message after it, as the target reads its input.
#
#   fuzz/seed-corpus.sh [DIR]      (default: fuzz/corpus/pattern, which git ignores)
set -euo pipefail
cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.."
out="${1:-fuzz/corpus/pattern}"
mkdir -p "$out"
python3 - "$out" <<'PY'
import glob, hashlib, json, re, sys

out = sys.argv[1]
ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "0": "\0"}

def unescape(text):
    return re.sub(r"\\(.)", lambda m: ESCAPES.get(m.group(1), "\\" + m.group(1)), text)

patterns = set()
for path in sorted(glob.glob("tests/pattern_*.rs")):
    for match in re.finditer(r'(?<![\w#])"((?:[^"\\\n]|\\.)*)"', open(path).read()):
        text = unescape(match.group(1))
        if text.strip()[:1] in ("{", "[", "%", "?", "-", '"') or text in ("ERROR", "Trail"):
            patterns.add(text.replace("\n", " "))

compact = lambda path: json.dumps(json.load(open(path)), separators=(",", ":"))
messages = [compact(path) for path in sorted(glob.glob("tests/fixtures/cloudtrail/*.json"))]
messages += [
    '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 200 1534',
    "[ERROR 401] UNAUTHORIZED REQUEST",
    '{"user":{"id":1},"users":[{"id":2,"email":"John.Doe@example.com"}],"actions":["GET","PUT"],"coordinates":[[0,1],[4,5]]}',
]
for index, pattern in enumerate(sorted(patterns)):
    data = (pattern + "\n" + messages[index % len(messages)]).encode()
    with open(f"{out}/seed-{hashlib.sha1(data).hexdigest()[:16]}", "wb") as file:
        file.write(data)
print(f"{len(patterns)} seeds in {out}")
PY
