"""The database schema: one migration per version, applied in order by `Store` (bot/store.py).

Never edit a released migration; append a new one. Feature tables (tasks, knowledge, memory, …) keep their
queries in their own `bot/store_*.py` module; their tables are created here so the version is one number.
"""

from __future__ import annotations

# Each migration moves the schema one version up; never edit a released one, append a new one.
MIGRATIONS: list[str] = [
    # 1: initial schema
    """
    CREATE TABLE conversations (
        id INTEGER PRIMARY KEY,
        platform TEXT NOT NULL, workspace TEXT NOT NULL, channel TEXT NOT NULL, thread TEXT NOT NULL,
        private INTEGER NOT NULL DEFAULT 0,
        sticky_private INTEGER NOT NULL DEFAULT 0,
        summary TEXT NOT NULL DEFAULT '',
        summary_upto INTEGER NOT NULL DEFAULT 0,
        summary_sensitive INTEGER NOT NULL DEFAULT 0,
        created_at REAL NOT NULL, updated_at REAL NOT NULL,
        UNIQUE (platform, workspace, channel, thread)
    );
    CREATE TABLE messages (
        id INTEGER PRIMARY KEY,
        conversation_id INTEGER NOT NULL REFERENCES conversations(id),
        role TEXT NOT NULL,
        author_id TEXT NOT NULL DEFAULT '',
        author_name TEXT NOT NULL DEFAULT '',
        content TEXT NOT NULL,
        sensitive INTEGER NOT NULL DEFAULT 0,
        created_at REAL NOT NULL
    );
    CREATE INDEX messages_by_conversation ON messages (conversation_id, id);
    CREATE TABLE turns (
        id INTEGER PRIMARY KEY,
        conversation_id INTEGER NOT NULL REFERENCES conversations(id),
        user_message_id INTEGER,
        answer_message_id INTEGER,
        user_id TEXT NOT NULL DEFAULT '',
        workspace TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL,
        provider TEXT NOT NULL DEFAULT '', model TEXT NOT NULL DEFAULT '',
        locality TEXT NOT NULL DEFAULT '', agent TEXT NOT NULL DEFAULT '',
        reasons TEXT NOT NULL DEFAULT '[]', finding_kinds TEXT NOT NULL DEFAULT '[]',
        prompt_tokens INTEGER NOT NULL DEFAULT 0, completion_tokens INTEGER NOT NULL DEFAULT 0,
        first_token_ms REAL, latency_ms REAL,
        error TEXT NOT NULL DEFAULT '',
        created_at REAL NOT NULL, finished_at REAL
    );
    CREATE INDEX turns_by_conversation ON turns (conversation_id, id);
    CREATE INDEX turns_by_workspace_time ON turns (workspace, created_at);
    CREATE INDEX turns_by_status ON turns (status);
    CREATE TABLE settings (
        scope TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
        set_by TEXT NOT NULL DEFAULT '', updated_at REAL NOT NULL,
        PRIMARY KEY (scope, key)
    );
    CREATE TABLE feedback (
        turn_id INTEGER NOT NULL REFERENCES turns(id),
        user_id TEXT NOT NULL,
        value INTEGER NOT NULL,
        created_at REAL NOT NULL,
        PRIMARY KEY (turn_id, user_id)
    );
    CREATE TABLE seen_events (
        event_id TEXT PRIMARY KEY,
        seen_at REAL NOT NULL
    );
    """,
    # 2: which platform message shows which turn's answer (reactions on answers sent before a restart)
    """
    CREATE TABLE message_links (
        platform TEXT NOT NULL, channel TEXT NOT NULL, message_id TEXT NOT NULL,
        turn_id INTEGER NOT NULL REFERENCES turns(id),
        conversation_id INTEGER NOT NULL REFERENCES conversations(id),
        created_at REAL NOT NULL,
        PRIMARY KEY (platform, channel, message_id)
    );
    CREATE INDEX message_links_by_turn ON message_links (turn_id);
    """,
    # 3: messages written while the conversation had to stay local never enter a cloud prompt, in any form
    """
    ALTER TABLE messages ADD COLUMN local_only INTEGER NOT NULL DEFAULT 0;
    """,
    # 4: feedback on local answers as routing labels (bot/routing_labels.py): scores and kinds, text opt-in
    """
    CREATE TABLE routing_labels (
        turn_id INTEGER PRIMARY KEY REFERENCES turns(id),
        workspace TEXT NOT NULL, label TEXT NOT NULL, source TEXT NOT NULL,
        raw REAL NOT NULL, cues TEXT NOT NULL DEFAULT '[]', text TEXT,
        created_at REAL NOT NULL
    );
    CREATE INDEX routing_labels_by_workspace ON routing_labels (workspace);
    """,
    # 5: tool calls of the tool loop (bot/store_tools.py): for /why and audit, under the messages' retention
    """
    CREATE TABLE tool_calls (
        id INTEGER PRIMARY KEY,
        turn_id INTEGER NOT NULL REFERENCES turns(id),
        conversation_id INTEGER NOT NULL REFERENCES conversations(id),
        user_id TEXT NOT NULL DEFAULT '',
        round INTEGER NOT NULL, tool TEXT NOT NULL, locality TEXT NOT NULL,
        arguments TEXT NOT NULL, result TEXT NOT NULL, outcome TEXT NOT NULL,
        seconds REAL NOT NULL DEFAULT 0, sensitive INTEGER NOT NULL DEFAULT 0,
        created_at REAL NOT NULL
    );
    CREATE INDEX tool_calls_by_turn ON tool_calls (turn_id);
    CREATE INDEX tool_calls_by_user ON tool_calls (user_id);
    CREATE INDEX tool_calls_by_time ON tool_calls (created_at);
    """,
    # 6: approvals in chat: every request to run a tool that changes things, and who decided what (store_approvals.py)
    """
    CREATE TABLE approvals (
        id TEXT PRIMARY KEY,
        turn_id INTEGER NOT NULL,
        platform TEXT NOT NULL, workspace TEXT NOT NULL, channel TEXT NOT NULL, thread TEXT NOT NULL,
        asker TEXT NOT NULL, tool TEXT NOT NULL, summary TEXT NOT NULL,
        outcome TEXT NOT NULL,
        decided_by TEXT NOT NULL DEFAULT '',
        prompt_ref TEXT NOT NULL DEFAULT '',
        created_at REAL NOT NULL, expires_at REAL NOT NULL, decided_at REAL
    );
    CREATE INDEX approvals_by_turn ON approvals (turn_id);
    CREATE INDEX approvals_by_outcome ON approvals (outcome);
    CREATE INDEX approvals_by_asker ON approvals (platform, asker);
    """,
    # 7: a person's tasks (bot/store_tasks.py): numbered per (platform, workspace, user), due dates in UTC
    """
    CREATE TABLE tasks (
        id INTEGER PRIMARY KEY,
        platform TEXT NOT NULL, workspace TEXT NOT NULL, user_id TEXT NOT NULL,
        number INTEGER NOT NULL,
        title TEXT NOT NULL,
        notes TEXT NOT NULL DEFAULT '',
        due_at REAL, due_all_day INTEGER NOT NULL DEFAULT 0,
        done_at REAL,
        local_only INTEGER NOT NULL DEFAULT 0,
        created_at REAL NOT NULL, updated_at REAL NOT NULL,
        UNIQUE (platform, workspace, user_id, number)
    );
    """,
    # 8: the redact level's reversible placeholders (bot/redact.py, queries in bot/store_placeholders.py)
    """
    CREATE TABLE placeholders (
        conversation_id INTEGER NOT NULL REFERENCES conversations(id),
        token TEXT NOT NULL, kind TEXT NOT NULL, value TEXT NOT NULL, author_id TEXT NOT NULL DEFAULT '',
        created_at REAL NOT NULL, used_at REAL NOT NULL,
        PRIMARY KEY (conversation_id, token)
    );
    CREATE UNIQUE INDEX placeholders_by_value ON placeholders (conversation_id, value);
    CREATE INDEX placeholders_by_use ON placeholders (used_at);
    """,
    # 9: knowledge collections (bot/store_knowledge.py): documents, passages in FTS5, the sources answers cited
    """
    CREATE TABLE kb_documents (
        id INTEGER PRIMARY KEY,
        collection TEXT NOT NULL, path TEXT NOT NULL,
        title TEXT NOT NULL DEFAULT '', kind TEXT NOT NULL DEFAULT '',
        content_hash TEXT NOT NULL, size INTEGER NOT NULL DEFAULT 0, mtime REAL NOT NULL DEFAULT 0,
        chunks INTEGER NOT NULL DEFAULT 0, notes TEXT NOT NULL DEFAULT '',
        indexed_at REAL NOT NULL,
        UNIQUE (collection, path)
    );
    CREATE TABLE kb_chunks (
        id INTEGER PRIMARY KEY,
        document_id INTEGER NOT NULL REFERENCES kb_documents(id),
        ord INTEGER NOT NULL, heading TEXT NOT NULL DEFAULT '[]', page INTEGER, line INTEGER
    );
    CREATE INDEX kb_chunks_by_document ON kb_chunks (document_id);
    CREATE VIRTUAL TABLE kb_fts USING fts5(
        collection, title, heading, text, tokenize = 'porter unicode61 remove_diacritics 2'
    );
    CREATE VIRTUAL TABLE kb_vocab USING fts5vocab(kb_fts, 'row');
    CREATE TABLE turn_sources (
        turn_id INTEGER NOT NULL REFERENCES turns(id) ON DELETE CASCADE,
        ord INTEGER NOT NULL,
        collection TEXT NOT NULL, path TEXT NOT NULL, title TEXT NOT NULL DEFAULT '',
        heading TEXT NOT NULL DEFAULT '[]', page INTEGER, line INTEGER,
        PRIMARY KEY (turn_id, ord)
    );
    """,
    # 10: files read with a turn (names and finding kinds for /why; no content), and facts people asked the bot
    # to remember (bot/store_attachments.py, bot/store_memory.py)
    """
    CREATE TABLE turn_attachments (
        turn_id INTEGER NOT NULL REFERENCES turns(id),
        position INTEGER NOT NULL,
        name TEXT NOT NULL, kind TEXT NOT NULL, status TEXT NOT NULL,
        size INTEGER NOT NULL DEFAULT 0, chars INTEGER NOT NULL DEFAULT 0, total_chars INTEGER NOT NULL DEFAULT 0,
        finding_kinds TEXT NOT NULL DEFAULT '[]',
        created_at REAL NOT NULL,
        PRIMARY KEY (turn_id, position)
    );
    CREATE TABLE memory_facts (
        id INTEGER PRIMARY KEY,
        platform TEXT NOT NULL, user_id TEXT NOT NULL,
        text TEXT NOT NULL,
        sensitive INTEGER NOT NULL DEFAULT 0,
        finding_kinds TEXT NOT NULL DEFAULT '[]',
        created_at REAL NOT NULL
    );
    CREATE INDEX memory_facts_by_person ON memory_facts (platform, user_id, id);
    """,
    # 11: knowledge vectors (bot/store_knowledge_vectors.py): one per distinct passage text and embedder, so an
    # unchanged passage keeps its vector when its document is re-indexed; a plain table (no extension needed).
    # Vectors no passage uses are dropped after each `kb index` / `kb remove` (no index on text_hash: writes stay fast)
    """
    ALTER TABLE kb_chunks ADD COLUMN text_hash TEXT NOT NULL DEFAULT '';
    CREATE TABLE kb_vectors (
        space TEXT NOT NULL, text_hash TEXT NOT NULL, vector BLOB NOT NULL,
        PRIMARY KEY (space, text_hash)
    ) WITHOUT ROWID;
    """,
    # 12: the routing step counts a message's answers every turn (Store.answers_to: was it 🔁'd?); without an
    # index that read walked the whole turns table, slower with every turn stored
    """
    CREATE INDEX turns_by_user_message ON turns (user_message_id);
    """,
]
