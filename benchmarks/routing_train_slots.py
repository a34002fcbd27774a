"""Slot values for the routing training templates (routing_trainset.py)."""

from __future__ import annotations

TECH = [
    "Redis",
    "Kafka",
    "Postgres",
    "MongoDB",
    "Kubernetes",
    "Docker",
    "GraphQL",
    "gRPC",
    "Terraform",
    "Elasticsearch",
    "RabbitMQ",
    "DynamoDB",
    "Nginx",
    "React",
    "Vue",
    "Django",
    "FastAPI",
    "Spark",
    "ClickHouse",
    "SQLite",
    "S3",
    "Lambda",
    "Celery",
    "Airflow",
    "Snowflake",
    "BigQuery",
    "Cassandra",
]

SLOTS: dict[str, list[str]] = {
    "tech": TECH,
    "tech2": TECH[::-1],
    "topic": [
        "billing migration",
        "search revamp",
        "Q3 roadmap",
        "mobile release",
        "onboarding flow",
        "data warehouse",
        "customer portal",
        "incident process",
        "hiring plan",
        "API v2",
        "pricing page",
    ],
    "person": ["Ana", "Tom", "Priya", "Kenji", "Lukas", "Sofia", "Rahul", "Chloé", "Mateo", "Yuki", "Ben"],
    "day": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"],
    "city": ["Berlin", "Tokyo", "São Paulo", "Madrid", "Lyon", "Pune", "Toronto", "Sydney", "Nairobi"],
    "city2": ["Oslo", "Lisbon", "Seoul", "Denver", "Milan"],
    "city3": ["Prague", "Austin", "Osaka", "Dublin"],
    "country": ["Japan", "Brazil", "Germany", "India", "Mexico", "Canada", "Portugal", "Kenya", "France", "Spain"],
    "lang": ["German", "French", "Spanish", "Japanese", "Portuguese", "Hindi", "Italian", "Dutch"],
    "lang2": ["Korean", "Polish", "Swedish", "Turkish"],
    "company": ["Apple", "Netflix", "Toyota", "Samsung", "Spotify", "SAP", "Nintendo"],
    "acronym": ["OKR", "KPI", "WIP", "MVP", "RACI", "SLO", "ETA", "PTO", "RFC", "DoD"],
    "holiday": ["Easter", "Thanksgiving", "Diwali", "Golden Week", "Carnival"],
    "status": ["401", "403", "500", "502", "301", "418"],
    "word": ["resilient", "throughput", "accommodate", "necessary", "deadline", "invoice", "feedback"],
    "month": ["January", "March", "April", "June", "September", "November"],
    "month2": ["July", "October", "December", "February"],
    "blunt": [
        "send me the file now",
        "this is wrong, redo it",
        "why is nobody answering",
        "stop scheduling meetings at 8am",
        "your PR broke the build",
        "read the docs first",
    ],
    "sentence": [
        "We have decided to postpone the launch by two weeks so that the team can finish the remaining QA work.",
        "The office will be closed on Friday because of the building's electrical maintenance.",
        "Please make sure all expense reports are submitted before the end of the month.",
        "Our new intern starts next week and will be working with the platform team.",
    ],
    "sentence_short": [
        "the server is down",
        "lunch is on me today",
        "please review my PR",
        "the meeting starts at ten",
        "happy new year",
        "we are hiring",
    ],
    "typo": [
        "we realy apreciate you're help with the relase",
        "the meeting is tommorow at 10 in the confrence room",
        "pls dont forget to updaet the docs befor merging",
    ],
    "list_line": [
        "eggs, milk, bread, coffee",
        "Ana - design, Tom - backend, Priya - QA",
        "staging, prod, dev, sandbox",
    ],
    "foreign": ["merci beaucoup", "por favor", "arigatou", "danke schön", "obrigado", "shukriya"],
    "var": ["x", "tmp", "data", "res", "val", "lst"],
    "var2": ["total", "result", "user_ids", "response", "price", "items"],
    "one_liner": [
        "xs = [x for x in xs if x]",
        "grep -rn TODO .",
        "ls -lah | sort -k5",
        "const ok = !!value;",
        "git log --oneline -5",
    ],
    "git_task": [
        "rename a branch",
        "delete a local branch",
        "see who changed a line",
        "squash my last 3 commits",
        "discard local changes",
        "create a tag",
    ],
    "shell_task": [
        "find files bigger than 100MB",
        "see which process uses port 8080",
        "count files in a folder",
        "tail a log file",
        "check free memory",
        "extract a tar.gz",
    ],
    "things": ["pods", "containers", "tables", "topics", "users", "indexes", "smartphones", "bicycles", "umbrellas"],
    "package": ["requests", "numpy", "pandas", "httpx", "pytest"],
    "plang": ["Python", "Go", "TypeScript", "Rust", "Java", "Kotlin", "C#"],
    "metric": ["conversion", "churn", "error rate", "cache hit rate", "activation", "NPS"],
    "change": ["the redesign", "moving to the new CDN", "the pricing change", "upgrading the ORM", "enabling HTTP/2"],
    "symptom": [
        "latency doubling every night at 3am",
        "p99 spiking only on Mondays",
        "the queue backing up after deploys",
        "requests timing out only for EU users",
        "disk filling up despite log rotation",
        "memory growing slowly until the pod is OOM-killed",
        "duplicate emails being sent to some customers",
    ],
    "decision": [
        "move from REST to gRPC",
        "adopt a monorepo",
        "rewrite the backend in Rust",
        "go multi-cloud",
        "drop support for IE11",
        "switch to trunk-based development",
        "outsource our on-call",
    ],
    "system": [
        "a URL shortener",
        "a rate limiter for our public API",
        "a notification service",
        "a feature flag system",
        "an audit log",
        "a job scheduler with retries",
        "a multi-tenant search index",
        "a chat backend",
    ],
    "need": [
        "strict ordering",
        "sub-10ms reads",
        "cheap storage of cold data",
        "easy local development",
        "exactly-once processing",
    ],
    "legal_act": [
        "record customer calls",
        "monitor employee laptops",
        "scrape a competitor's prices",
        "store EU data in the US",
        "use customer logos on our site",
        "fire someone on sick leave",
    ],
    "tax_event": [
        "selling crypto at a loss",
        "exercising stock options",
        "working remotely from abroad for 4 months",
        "a side income from freelancing",
        "receiving an inheritance",
        "an employer-paid relocation",
    ],
    "drug": ["ibuprofen", "paracetamol", "aspirin", "omeprazole", "metformin", "sertraline", "warfarin"],
    "drug2": ["alcohol", "an antihistamine", "a blood thinner", "St John's wort", "amoxicillin", "lithium"],
    "symptom_med": [
        "chest pain when climbing stairs",
        "a headache that won't go away",
        "tingling in my left hand",
        "a cough with blood",
        "a fever and stiff neck",
    ],
    "license": ["GPL-3", "AGPL", "LGPL", "MPL", "SSPL"],
    "algo": [
        "merges k sorted lists efficiently",
        "finds the longest palindromic substring",
        "detects cycles in a directed graph",
        "computes edit distance between two strings",
        "schedules tasks with dependencies in topological order",
        "parses cron expressions",
        "implements a trie with prefix search",
        "does consistent hashing with virtual nodes",
        "retries with exponential backoff and jitter",
        "validates a sudoku board",
    ],
    "algo_named": ["quicksort", "Dijkstra", "union-find", "binary search on a rotated array", "A*", "Bloom filters"],
    "script_task": [
        "watches a directory and uploads new files with retries",
        "backs up a postgres db to S3 nightly",
        "merges hundreds of CSVs and dedupes rows",
        "checks all our domains for expiring TLS certificates",
        "parses nginx logs and reports the slowest endpoints per hour",
    ],
    "component": ["cache", "connection pool", "worker queue", "circuit breaker", "web crawler", "CLI"],
    "sql_task": [
        "find users who churned within 30 days of signup, by cohort",
        "compute a running balance per account with window functions",
        "find gaps in a sequence of invoice numbers",
        "pivot monthly revenue by product line",
    ],
    "migration": [
        "rename a column used by three services",
        "move user emails into a separate table",
        "change an int primary key to bigint on a 500M-row table",
    ],
    "goal": [
        "cut cloud costs by 30%",
        "get SOC 2 certified",
        "halve our deploy time",
        "launch in Japan",
        "improve developer onboarding",
    ],
}

# Pasted prose full of "hard" words: the ask around it decides (issue 16: trigger words in pasted text).
PARAGRAPHS = [
    "We compared three architectures for the ingestion pipeline and analysed the trade-offs in latency, cost and "
    "operational complexity. The team recommends the Kafka-based design because it scales to millions of events "
    "per second and simplifies replay, although it needs more on-call expertise.",
    "Q3 review: revenue grew 12% while churn stayed flat at 2.1%. The migration to the new billing system was "
    "completed two weeks late because of an unexpected dependency on the legacy tax module. Next quarter we plan "
    "to evaluate a second payment provider and to prove out the new pricing model in two markets.",
    "The root cause of the outage was a race condition in the cache invalidation logic: two workers could delete "
    "and repopulate the same key concurrently, leaving stale data for up to ten minutes. We fixed it by adding a "
    "version check and we will write a postmortem with the full timeline.",
    "Our contract with the vendor includes a limitation of liability clause, a 12-month non-compete and a data "
    "processing agreement under GDPR. Legal reviewed it last week and has no objections, so we can sign on Monday.",
]

CODE = [
    "```python\ndef total(xs):\n    t = 0\n    for x in xs:\n        t += x\n    return t\n```",
    "```js\nconst data = await fetch(url);\nconst res = await data.json();\nconsole.log(res);\n```",
    "```go\nfunc add(a int, b int) int {\n\treturn a + b\n}\n```",
    "```sql\nselect * from orders where status = 'paid'\n```",
    "```python\nval = input()\nlst = val.split(',')\nprint(len(lst))\n```",
    "```ts\nfunction greet(name: string) { return 'hi ' + name }\n```",
]
CODE_LONG = [
    "```python\ndef dedupe(rows):\n    seen = []\n    out = []\n    for r in rows:\n        key = r['email'].lower()\n"
    "        if key not in seen:\n            seen.append(key)\n            out.append(r)\n    return out\n\n"
    "def load(path):\n    return [json.loads(l) for l in open(path)]\n```",
    "```js\nasync function sync(users) {\n  users.forEach(async (u) => {\n    const r = await api.update(u);\n"
    "    if (!r.ok) retry(u);\n  });\n  console.log('done');\n}\n\nfunction retry(u) { setTimeout(() => sync([u]), 1000); }\n```",
    "```go\nvar cache = map[string]string{}\n\nfunc get(k string) string {\n\tif v, ok := cache[k]; ok {\n\t\treturn v\n\t}\n"
    "\tv := fetch(k)\n\tcache[k] = v\n\treturn v\n}\n\nfunc main() {\n\tfor i := 0; i < 100; i++ {\n\t\tgo get(fmt.Sprint(i % 10))\n\t}\n}\n```",
    "```java\npublic class Counter {\n    private int count = 0;\n    public void inc() { count++; }\n"
    "    public int get() { return count; }\n    public static void main(String[] a) throws Exception {\n"
    "        Counter c = new Counter();\n        Thread t1 = new Thread(() -> { for (int i=0;i<1000;i++) c.inc(); });\n"
    "        t1.start(); c.inc(); t1.join();\n        System.out.println(c.get());\n    }\n}\n```",
    "```sql\nSELECT u.id, COUNT(o.id)\nFROM users u\nLEFT JOIN orders o ON o.user_id = u.id\n"
    "WHERE o.created_at > now() - interval '30 days'\nGROUP BY u.id\nHAVING COUNT(o.id) = 0;\n```",
]
ERRORS = [
    "`KeyError: 'id'`",
    "`ImportError: cannot import name 'x'`",
    "`SyntaxError: invalid syntax`",
    "`error: failed to push some refs`",
    "`Permission denied (publickey)`",
    "`npm ERR! missing script: start`",
    "`ReferenceError: foo is not defined`",
    "`fatal: not a git repository`",
]
TRACES = [
    '```\nTraceback (most recent call last):\n  File "app/jobs.py", line 41, in run\n    conn.execute(q)\n'
    "sqlite3.OperationalError: database is locked\n```",
    '```\nException in thread "pool-3-thread-7" java.util.ConcurrentModificationException\n'
    "\tat java.util.ArrayList$Itr.next(ArrayList.java:1013)\n\tat com.acme.Batch.flush(Batch.java:88)\n```",
    "```\nthread 'tokio-runtime-worker' panicked at 'called `Option::unwrap()` on a `None` value', src/handler.rs:57:22\n```",
    "```\nfatal error: concurrent map writes\n\ngoroutine 51 [running]:\nmain.(*Store).Put(...)\n\t/src/store.go:33\n```",
]
