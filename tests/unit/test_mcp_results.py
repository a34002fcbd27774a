"""MCP call results as the text the model sees (bot.tools.mcp_client.result_text): pure, on SDK types."""

from mcp import types

from bot.tools.mcp_client import result_text


def result(*content, structured=None, error=False) -> types.CallToolResult:
    return types.CallToolResult(content=list(content), structured_content=structured, is_error=error)


def text(value: str) -> types.TextContent:
    return types.TextContent(type="text", text=value)


def test_text_blocks_join_and_binary_content_is_named_not_included():
    image = types.ImageContent(type="image", data="aGk=", mime_type="image/png")
    assert result_text(result(text("one"), image, text("two"))) == "one\n[image content omitted]\ntwo"


def test_embedded_text_resources_and_links():
    resource = types.EmbeddedResource(
        type="resource", resource=types.TextResourceContents(uri="file:///notes/a.md", text="# A")
    )
    link = types.ResourceLink(type="resource_link", name="b.md", uri="file:///notes/b.md")
    assert result_text(result(resource, link)) == "# A\n[resource b.md: file:///notes/b.md]"


def test_structured_content_when_there_is_no_content_else_the_text():
    data = {"answer": 42, "unit": "m"}
    assert result_text(result(structured=data)) == '{"answer": 42, "unit": "m"}'
    # servers serialize structured content into a text block too (FastMCP wraps a str as {"result": …})
    assert result_text(result(text("42"), structured={"result": "42"})) == "42"
