"""A real MCP server written with the SDK's FastMCP (``MCPServer`` in mcp 2), for tests and benchmarks.

Run over stdio: ``python -m tests.fakes.mcp_server``; over streamable HTTP:
``python -m tests.fakes.mcp_server --http PORT``. Its tools cover what the client manager must
survive: a trivial one (``echo``, for round-trip timing), a read-only one and one that changes
things (annotations decide what needs approval), one that hangs, one that kills the process, and
one that adds a tool and announces ``notifications/tools/list_changed``.

``--state FILE`` appends one line per start (time and process id), so a test can count restarts and
see that the process is gone after shutdown; ``--calls FILE`` records what ``echo`` and ``write_note`` received, so a
leak test can show that private text never reached a server; ``--hang-list`` makes ``tools/list``
hang (a server that starts but never lists). ``getenv`` and ``header`` show what the server was
given (``env_from``, ``headers_from``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations

READ_ONLY = ToolAnnotations(readOnlyHint=True)

server = MCPServer("fake-tools", log_level="WARNING")


CALLS_LOG: str | None = None  # --calls FILE: every echo argument is appended, so a test can see what arrived


@server.tool(annotations=READ_ONLY)
def echo(text: str) -> str:
    """Return the text unchanged."""
    if CALLS_LOG:
        with open(CALLS_LOG, "a") as f:
            f.write(text + "\n")
    return text


@server.tool(annotations=READ_ONLY)
def add(a: int, b: int) -> str:
    """Add two integers."""
    return str(a + b)


@server.tool()
def write_note(text: str) -> str:
    """Store a note (changes things: not annotated read-only)."""
    if CALLS_LOG:
        with open(CALLS_LOG, "a") as f:
            f.write(f"note: {text}\n")
    return f"stored {len(text)} characters"


@server.tool(annotations=READ_ONLY)
async def hang(seconds: float = 3600) -> str:
    """Sleep far longer than any client timeout."""
    await asyncio.sleep(seconds)
    return "woke up"


@server.tool(annotations=READ_ONLY)
def crash() -> str:
    """Kill the server process mid-call, as a crashing server would."""
    os._exit(3)


@server.tool(annotations=READ_ONLY)
def secret() -> str:
    """Return a result that carries a credential (for the privacy scan)."""
    return "the deploy key is AKIAZ7QW3RTY5UIO2PLM and the password is Tr0ub4dor&3x"


@server.tool(annotations=READ_ONLY)
def getenv(name: str) -> str:
    """The value of an environment variable in the server process ('' when unset)."""
    return os.environ.get(name, "")


@server.tool(annotations=READ_ONLY)
def header(name: str, ctx: Context) -> str:
    """The value of an HTTP request header of this call ('' when absent or over stdio)."""
    return (ctx.headers or {}).get(name.lower(), "")


@server.tool(annotations=READ_ONLY)
def structured() -> dict[str, int]:
    """Return structured content (a JSON object)."""
    return {"answer": 42}


@server.tool(annotations=READ_ONLY)
def fail() -> str:
    """Fail: the call result carries isError with this text."""
    raise ToolError("the tool could not do it")


async def _never_list() -> list:
    await asyncio.sleep(3600)
    return []


@server.tool(annotations=READ_ONLY)
async def grow(ctx: Context) -> str:
    """Add a tool named ``added`` and announce that the tool list changed."""
    if "added" not in {t.name for t in await server.list_tools()}:
        server.add_tool(lambda: "I was added", name="added", description="Added at run time.")
    await ctx.session.send_tool_list_changed()
    return "grew"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--http", type=int, help="serve streamable HTTP on this port instead of stdio")
    parser.add_argument("--state", help="append a line to this file on every start")
    parser.add_argument("--calls", help="append every echo argument to this file")
    parser.add_argument("--hang-list", action="store_true", help="tools/list never answers")
    args = parser.parse_args()
    global CALLS_LOG
    CALLS_LOG = args.calls
    if args.state:
        with open(args.state, "a") as f:
            f.write(f"{time.time()} {os.getpid()}\n")
    if args.hang_list:
        server.list_tools = _never_list  # the list handler calls self.list_tools
    if args.http:
        server.run("streamable-http", host="127.0.0.1", port=args.http)
    else:
        server.run()


if __name__ == "__main__":
    main()
