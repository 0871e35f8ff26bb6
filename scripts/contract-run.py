#!/usr/bin/env python3
"""Contract check: schemathesis against a seeded SQLite cairnd.

Starts `cairnd serve` (the binary given) on SQLite in a temporary directory, imports the test OSV
advisories, creates a super admin with an admin-scope API key, seeds a project with a completed
path scan that has findings (so routes with ids have data), then runs

    schemathesis run ORIGIN/api/openapi.json --checks all --max-examples N -H 'Authorization: Bearer KEY'

and exits with schemathesis' status (0 only when no check failed). Used by .ci/run (bounded,
--max-examples 10) and by hand (--max-examples 30). Nothing leaves the machine: the daemon listens
on 127.0.0.1 and scans a fixture directory.

usage: scripts/contract-run.py CAIRND [--schemathesis PATH] [--max-examples N] [--keep] [-- ARGS...]
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCAN_TREE = os.path.join(ROOT, "tests/fixtures/scan-tree/python")
OSV = os.path.join(ROOT, "tests/fixtures/osv-scan")
PASSWORD = "contract-run-password-1"


def call(base, method, path, token=None, body=None, expect=(200, 201, 202)):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            status, text = resp.status, resp.read()
    except urllib.error.HTTPError as e:
        status, text = e.code, e.read()
    if status not in expect:
        sys.exit(f"seed: {method} {path} answered {status}: {text[:500]!r}")
    return json.loads(text) if text else None


EXCEPTIONS = os.path.join(ROOT, "scripts/contract-exceptions.toml")
HOOKS = os.path.join(ROOT, "scripts/contract-hooks.py")
# What schemathesis expects of a schema-valid request by default.
POSITIVE = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]


def load_exceptions():
    """`{(METHOD, path): [rule, ...]}`: operations that may refuse schema-valid input with 400."""
    with open(EXCEPTIONS, "rb") as f:
        data = tomllib.load(f)
    out = {}
    for entry in data.get("beyond_schema", []):
        method, path = entry["operation"].split(" ", 1)
        if not entry.get("rules"):
            sys.exit(f"{EXCEPTIONS}: {entry['operation']} names no rule")
        if not entry.get("why"):
            sys.exit(f"{EXCEPTIONS}: {entry['operation']} says not why the schema cannot state its rules")
        out[(method.upper(), path)] = entry["rules"]
    return out


def schemathesis_config(document, exceptions):
    """The run's expectations beyond schemathesis' defaults, each a rule of the API:

    - a missing required `If-Match` is 428 Precondition Required (RFC 6585), not 400;
    - schema-valid input may still be refused where the document cannot tell (per operation,
      derived from the document): 422 with an `Idempotency-Key` (schemathesis reuses one key
      with another body, which the server must refuse), 412 with an `If-Match` (a well-formed
      version that is no longer current), 400 with a `cursor` or `sort` query parameter (a
      cursor only its list gave, not with offset or sort; sort fields of the resource), and 400
      on the operations contract-exceptions.toml lists with their rules.
    """
    lines = [
        f"hooks = {json.dumps(HOOKS)}",
        "",
        "[checks.missing_required_header]",
        'expected-statuses = ["400", "401", "403", "406", "415", "422", "428"]',
        "",
    ]
    operations = set()
    for path, item in document["paths"].items():
        for method, op in item.items():
            if method not in ("get", "put", "post", "delete", "patch"):
                continue
            operations.add((method.upper(), path))
            params = {(p.get("in"), p.get("name")) for p in op.get("parameters", [])}
            extra = []
            if ("header", "Idempotency-Key") in params:
                extra.append("422")
            if ("header", "If-Match") in params:
                extra.append("412")
            if (method.upper(), path) in exceptions or ("query", "cursor") in params or ("query", "sort") in params:
                extra.append("400")
            if not extra:
                continue
            statuses = ", ".join(f'"{s}"' for s in POSITIVE + extra)
            lines.append(
                # One filter, the operation's label: separate include-path and include-method
                # filters would apply the entry to every operation matching either.
                f"[[operations]]\ninclude-name = {json.dumps(method.upper() + ' ' + path)}\n"
                f"checks.positive_data_acceptance.expected-statuses = [{statuses}]\n"
            )
    stale = sorted(set(exceptions) - operations)
    if stale:
        sys.exit(f"{EXCEPTIONS} names operations the document does not have: {stale}")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cairnd")
    ap.add_argument("--schemathesis", default="schemathesis")
    ap.add_argument("--max-examples", type=int, default=10)
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory (logs, database)")
    argv = sys.argv[1:]
    rest = argv[argv.index("--") + 1:] if "--" in argv else []
    args = ap.parse_args(argv[: argv.index("--")] if "--" in argv else argv)

    work = tempfile.mkdtemp(prefix="cairn-contract.")
    config = os.path.join(work, "cairnd.toml")
    with open(config, "w") as f:
        # Budgets far above what the run sends: a 429 would hide the answers under test.
        f.write(
            f'listen = "127.0.0.1:0"\ndatabase_url = "sqlite://{work}/cairnd.db"\n'
            'registration = "invite-only"\nshutdown_grace_secs = 2\n'
            "[rate_limits]\nlogin_per_minute = 100000\nreads_per_minute = 1000000\n"
            "writes_per_minute = 1000000\nuploads_per_hour = 1000000\nhealth_per_minute = 1000000\n"
            "[quotas]\nqueued_scans = 0\nuploads_per_hour = 0\n"
            "[scans]\nworkers = 1\n"
            f'[sources]\nsingle_tenant = true\npath_roots = ["{SCAN_TREE}"]\n'
            f'[mail]\npickup_dir = "{work}/mail"\n'
        )
    cli = [args.cairnd, "--config", config]
    subprocess.run(cli + ["vulndb", "import", OSV], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(
        cli + ["admin", "create-user", "--email", "root@example.test", "--super-admin", "--password-stdin"],
        input=PASSWORD + "\n", text=True, check=True, stdout=subprocess.DEVNULL,
    )
    log = open(os.path.join(work, "cairnd.log"), "w")
    daemon = subprocess.Popen(cli[:1] + ["serve"] + cli[1:], stdout=subprocess.PIPE, stderr=log, text=True)
    try:
        line = daemon.stdout.readline().strip()
        if not line.startswith("listening on "):
            sys.exit(f"cairnd did not start: {line!r} (log: {work}/cairnd.log)")
        base = line.removeprefix("listening on ")

        session = call(base, "POST", "/api/v1/auth/login", body={"email": "root@example.test", "password": PASSWORD})
        jwt = session["access_token"]
        # An API key, not the 15-minute access token: the long run outlives a token.
        key = call(base, "POST", "/api/v1/api-keys", jwt, {"name": "contract", "scopes": ["admin"]})["secret"]
        project = call(base, "POST", "/api/v1/projects", key, {"name": "contract-seed", "kind": "repo"})
        scan = call(base, "POST", "/api/v1/scans", key,
                    {"source": {"kind": "path", "path": SCAN_TREE}, "project": project["id"]})
        deadline = time.monotonic() + 120
        status = scan["status"]
        while status not in ("completed", "failed", "cancelled"):
            if time.monotonic() > deadline:
                sys.exit(f"seed scan still {status} after 120 s")
            time.sleep(0.2)
            status = call(base, "GET", f"/api/v1/scans/{scan['id']}", key)["status"]
        if status != "completed":
            sys.exit(f"seed scan {status}")
        findings = call(base, "GET", f"/api/v1/scans/{scan['id']}/findings?limit=1", key)
        if not findings["items"]:
            sys.exit("seed scan has no findings: the OSV fixtures no longer match the tree")

        config_file = os.path.join(work, "schemathesis.toml")
        with urllib.request.urlopen(base + "/api/openapi.json", timeout=30) as resp:
            document = json.load(resp)
        with open(config_file, "w") as f:
            f.write(schemathesis_config(document, load_exceptions()))
        command = [
            args.schemathesis, "--config-file", config_file, "run", base + "/api/openapi.json",
            "--checks", "all",
            "--max-examples", str(args.max_examples),
            "--header", "Authorization: Bearer " + key,
            "--seed", "1",
            "--suppress-health-check", "all",
            *rest,
        ]
        print(f"seeded project {project['id']}, scan {scan['id']}; running schemathesis", file=sys.stderr)
        # In the work directory: schemathesis keeps a cache of past failures in its working
        # directory and replays them first; each run starts clean and leaves the tree clean.
        rc = subprocess.run(command, cwd=work).returncode
    finally:
        daemon.terminate()
        try:
            daemon.wait(timeout=10)
        except subprocess.TimeoutExpired:
            daemon.kill()
        log.close()
        if args.keep or daemon.returncode not in (0, -15):
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    sys.exit(rc)


if __name__ == "__main__":
    main()
