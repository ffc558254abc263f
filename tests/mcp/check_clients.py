"""The official Python MCP SDK against trove, over stdio (`trove mcp`) and Streamable HTTP
(`trove serve`'s /mcp), on a data folder synced from the fake Notion and monday.com servers.

Run by tests/mcp.rs (which syncs the folder and starts `trove serve` with an API key); every
answer is checked against `trove search --json`, `trove export` and `trove status --json` on
the same folder. Exits non-zero on the first failed check.

    python check_clients.py --trove BIN --data-dir DIR --url http://127.0.0.1:PORT/mcp \
        --key KEY --secret TOKEN [--secret TOKEN ...]
"""

import argparse
import asyncio
import datetime
import html
import json
import re
import subprocess
import sys

import httpx2
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

TOOLS = {"search", "fetch", "status"}


class Checks:
    def __init__(self, args):
        self.args = args
        self.passed = 0

    def trove(self, *argv):
        out = subprocess.run(
            [self.args.trove, "--data-dir", self.args.data_dir, *argv],
            check=True,
            capture_output=True,
            text=True,
        )
        return out.stdout

    def expect(self, cond, what):
        if not cond:
            raise AssertionError(what)
        self.passed += 1

    def no_secret(self, result, where):
        text = json.dumps(result.model_dump(mode="json"))
        for secret in self.args.secret + [self.args.key]:
            self.expect(secret not in text, f"{where}: a secret appears in the answer")


def when(value):
    """An RFC 3339 time as an aware datetime (None stays None)."""
    if value is None:
        return None
    return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))


def plain(snippet, marker):
    """Snippet text without highlight markup, whitespace collapsed."""
    if marker == "html":
        snippet = html.unescape(re.sub(r"</?b>", "", snippet))
    else:
        snippet = snippet.replace("**", "")
    return " ".join(snippet.split())


def queries(checks):
    """Searches built from what was synced: titles of a Notion page and a monday.com item,
    a filtered search, and a paged one."""
    docs = [json.loads(line) for line in checks.trove("export").splitlines()]
    by_kind = {}
    for d in docs:
        if len(d["title"].split()) >= 3:
            by_kind.setdefault(d["source_kind"], d)
    checks.expect({"notion", "monday"} <= set(by_kind), f"both sources synced: {by_kind.keys()}")
    notion = " ".join(by_kind["notion"]["title"].split()[:3])
    monday = " ".join(by_kind["monday"]["title"].split()[:2])
    word = by_kind["monday"]["title"].split()[0]
    source = by_kind["monday"]["source"]
    return docs, [
        ({"query": notion}, [notion]),
        ({"query": monday, "limit": 5}, [monday, "--limit", "5"]),
        (
            {"query": word, "source": source, "kind": "item", "limit": 20},
            [word, "--source", source, "--kind", "item", "--limit", "20"],
        ),
        ({"query": word, "limit": 3, "offset": 2}, [word, "--limit", "3", "--offset", "2"]),
    ]


async def check_tools(checks, client, where):
    listed = await client.list_tools()
    names = {t.name for t in listed.tools}
    checks.expect(names == TOOLS, f"{where}: tools {names}")
    for t in listed.tools:
        checks.expect(len(t.description or "") > 100, f"{where}: {t.name} has a description")
        checks.expect(t.output_schema is not None, f"{where}: {t.name} has an output schema")
    search = next(t for t in listed.tools if t.name == "search")
    props = set(search.input_schema["properties"])
    want = {"query", "source", "kind", "tags", "updated_after", "updated_before", "limit", "offset"}
    checks.expect(want <= props, f"{where}: search input fields {props}")


async def check_search(checks, client, where, args, cli_args):
    result = await client.call_tool("search", args)
    checks.no_secret(result, where)
    checks.expect(not result.is_error, f"{where}: search {args} failed: {result.content}")
    got = result.structured_content
    want = json.loads(checks.trove("search", "--json", *cli_args))
    checks.expect(got["total"] == want["total"], f"{where}: total {got['total']} != {want['total']}")
    ids = [h["id"] for h in got["hits"]]
    want_ids = [h["id"] for h in want["hits"]]
    checks.expect(ids == want_ids, f"{where}: {args}: hits {ids} != trove search {want_ids}")
    checks.expect(len(ids) > 0, f"{where}: {args} finds something")
    offset = args.get("offset", 0)
    for i, (h, w) in enumerate(zip(got["hits"], want["hits"])):
        checks.expect(h["rank"] == offset + i + 1, f"{where}: rank of {h['id']}")
        for mine, theirs in [("title", "title"), ("breadcrumb", "path"), ("url", "url"),
                             ("source", "source"), ("kind", "kind")]:
            checks.expect(h[mine] == w[theirs], f"{where}: {h['id']} {mine}: {h[mine]!r} != {w[theirs]!r}")
        checks.expect(when(h["updated_at"]) == when(w["updated_at"]), f"{where}: {h['id']} updated_at")
        checks.expect(abs(h["score"] - w["score"]) < 1e-3, f"{where}: {h['id']} score")
        checks.expect(plain(h["snippet"], "md") == plain(w["snippet"], "html"),
                      f"{where}: {h['id']} snippet {h['snippet']!r} vs {w['snippet']!r}")
    text = result.content[0].text
    first = got["hits"][0]
    checks.expect(f"[{offset + 1}] " in text and first["id"] in text and first["url"] in text,
                  f"{where}: the text cites the first hit: {text[:300]}")
    return got


async def check_fetch(checks, client, where, docs, doc_id):
    doc = next(d for d in docs if d["id"] == doc_id)
    result = await client.call_tool("fetch", {"id": doc_id})
    checks.no_secret(result, where)
    checks.expect(not result.is_error, f"{where}: fetch {doc_id}: {result.content}")
    got = result.structured_content
    for key in ["id", "title", "url", "kind", "source", "tags", "authors"]:
        checks.expect(got[key] == doc[key], f"{where}: fetch {key}: {got[key]!r} != {doc[key]!r}")
    checks.expect(got["breadcrumb"] == " › ".join(doc["path"]), f"{where}: fetch breadcrumb")
    body = doc["body"]
    checks.expect(got["total_chars"] == len(body), f"{where}: total_chars")
    checks.expect(got["text"] == body[:20000], f"{where}: fetch text is the flattened body")
    checks.expect(body[:200] in result.content[0].text, f"{where}: the text carries the body")

    cut = await client.call_tool("fetch", {"id": doc_id, "max_chars": 10})
    c = cut.structured_content
    checks.expect(c["text"] == body[:10], f"{where}: cut text")
    if len(body) > 10:
        checks.expect(c["truncated"] and c["next_offset"] == 10, f"{where}: cut is flagged: {c}")
        checks.expect("offset=10" in cut.content[0].text, f"{where}: the note says where to go on")
        rest = await client.call_tool("fetch", {"id": doc_id, "offset": 10, "max_chars": 100000})
        checks.expect(rest.structured_content["text"] == body[10:], f"{where}: the rest")


async def check_errors(checks, client, where):
    bad = [
        ("fetch", {"id": "demo-notion:does-not-exist"}, "no document with id"),
        ("fetch", {"id": "x", "max_chars": 10_000_000}, "max_chars"),
        ("search", {"query": ""}, "query"),
        ("search", {"query": "(heat"}, ""),
        ("search", {"query": "heat", "limit": 1000}, "limit"),
        ("search", {"query": "heat", "limit": "ten"}, "input schema"),
        ("search", {"query": "heat", "colour": "red"}, "colour"),
        ("search", {"query": "heat " * 1000}, "bytes long"),
        ("search", {"query": "heat", "updated_after": "yesterday"}, "updated_after"),
    ]
    for tool, args, needle in bad:
        result = await client.call_tool(tool, args)
        text = result.content[0].text if result.content else ""
        checks.expect(result.is_error, f"{where}: {tool} {str(args)[:60]} is a tool error")
        checks.expect(needle in text, f"{where}: {tool} error names {needle!r}: {text}")
    # The session survives all of that.
    ok = await client.call_tool("status", {})
    checks.expect(not ok.is_error, f"{where}: the session goes on after errors")


async def check_status(checks, client, where):
    result = await client.call_tool("status", {})
    checks.no_secret(result, where)
    got = result.structured_content
    want = json.loads(checks.trove("status", "--json"))
    checks.expect(got["documents"] == want["documents"], f"{where}: status documents")
    names = sorted(s["name"] for s in got["sources"])
    checks.expect(names == sorted(s["name"] for s in want["sources"]), f"{where}: sources {names}")
    checks.expect(got["changes_pending"] == 0, f"{where}: caught up")
    for name in names:
        checks.expect(f"- {name} (" in result.content[0].text, f"{where}: status text names {name}")


async def check_client(checks, client, where):
    docs, cases = queries(checks)
    await check_tools(checks, client, where)
    first = None
    for args, cli_args in cases:
        got = await check_search(checks, client, where, args, cli_args)
        first = first or got["hits"][0]["id"]
    await check_fetch(checks, client, where, docs, first)
    await check_errors(checks, client, where)
    await check_status(checks, client, where)


async def main(args):
    checks = Checks(args)
    stdio = StdioServerParameters(
        command=args.trove, args=["--data-dir", args.data_dir, "mcp"]
    )
    async with Client(stdio) as client:
        await check_client(checks, client, "stdio")
    auth = {"Authorization": f"Bearer {args.key}"}
    for mode in ["auto", "legacy"]:
        http = create_mcp_http_client(headers=auth)
        async with http, Client(streamable_http_client(args.url, http_client=http), mode=mode) as client:
            await check_client(checks, client, f"http ({mode})")
    async with httpx2.AsyncClient() as raw:
        body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
        for headers in [{}, {"Authorization": "Bearer wrong-key"}]:
            r = await raw.post(args.url, json=body, headers=headers)
            checks.expect(r.status_code == 401, f"http without the key: {r.status_code}")
    print(f"python mcp client: {checks.passed} passed, 0 failed")


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--trove", required=True)
    p.add_argument("--data-dir", required=True)
    p.add_argument("--url", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--secret", action="append", default=[])
    try:
        asyncio.run(main(p.parse_args()))
    except AssertionError as e:
        print(f"python mcp client: check failed: {e}", file=sys.stderr)
        sys.exit(1)
