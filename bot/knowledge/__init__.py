"""Knowledge collections: documents indexed locally (SQLite FTS5), searched per agent and channel, put into
prompts under each collection's privacy level, and cited under answers. See README "Knowledge"."""
