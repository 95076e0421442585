"""A second, independent MCP server for the tests: the mcp package's server under uvicorn.

Run as ``python -m mcphub.tests.crm_server PORT``; it stands for a team's CRM.
"""

from __future__ import annotations

import sys

import uvicorn
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

server = MCPServer(name="crm")


@server.tool(description="Look up a customer by email.")
def lookup_customer(email: str) -> dict[str, str]:
    return {"email": email, "name": "Ada Lovelace", "plan": "gold"}


@server.tool(description="Always fails, like a CRM whose database is down.")
def broken_lookup(email: str) -> str:
    raise ToolError("the CRM database is down")


@server.tool(description="Not on the allow-list: agents must never see it.")
def delete_everything() -> str:
    return "deleted"


if __name__ == "__main__":
    app = server.streamable_http_app(stateless_http=True, json_response=True)
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
