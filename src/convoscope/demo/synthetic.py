"""Synthetic conversations `conv_synth_<N>`: N realistic-looking items, each computed on demand.

Nothing here ever builds all N items. The item at index i is a pure function of (N, i):

* Items are grouped into fixed-length *chapters* of CHAPTER_LEN items. Each chapter uses one
  of LAYOUT_COUNT precomputed layouts (a sequence of turn templates whose lengths add up to
  exactly CHAPTER_LEN), chosen by a hash of (N, chapter). So i -> (chapter, offset) -> the
  item's type and its turn in O(1).
* A turn's shared facts (topic, call ids, tool arguments) are drawn from an RNG seeded by
  (N, index of the turn's first item), so a function_call and its function_call_output
  agree without either being built from the other.
* Item ids encode N and i (`fc_synth250x0000042`), so a cursor maps back to its index in O(1).

The conversation simply stops after N items, possibly mid-turn (a tool call without its
output yet), and its last few items are `in_progress`, like a conversation still running.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import random
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Sequence, TypeVar

T = TypeVar("T")

MAX_ITEMS = 1_000_000
CHAPTER_LEN = 48
LAYOUT_COUNT = 64
IN_PROGRESS_TAIL = 3
"""How many items at the very end are still in progress."""

DISCOVERABLE_SIZES = (10_000, 100_000)
"""Synthetic conversations that the conversation list shows; every other N is reachable by id."""

_CONVERSATION_ID = re.compile(r"conv_synth_([1-9][0-9]{0,6})")
_ITEM_ID = re.compile(r"([a-z]+)_synth([0-9]+)x([0-9]{7})")
_MASK64 = (1 << 64) - 1


def synthetic_size(conversation_id: str) -> int | None:
    """N for a canonical `conv_synth_<N>` id with 1 <= N <= MAX_ITEMS, else None."""
    match = _CONVERSATION_ID.fullmatch(conversation_id)
    if not match:
        return None
    n = int(match.group(1))
    return n if n <= MAX_ITEMS else None


def synthetic_conversation_id(n: int) -> str:
    return f"conv_synth_{n}"


def synthetic_conversation(n: int) -> dict[str, Any]:
    return {
        "id": synthetic_conversation_id(n),
        "object": "conversation",
        # Fixed per N; spread over a year so listed synthetic conversations sort apart.
        "created_at": 1_700_000_000 + (n * 7919) % 31_536_000,
        "metadata": {"title": f"Synthetic conversation ({n:,} items)", "source": "convoscope demo generator"},
    }


def _mix(*values: int) -> int:
    """A 64-bit hash of integers (splitmix64-style finaliser), stable across runs and
    Python versions (unlike hash(), which is salted for strings and may change)."""
    h = 0x9E3779B97F4A7C15
    for value in values:
        h = (h ^ (value & _MASK64)) * 0xBF58476D1CE4E5B9 & _MASK64
        h ^= h >> 31
    h ^= h >> 33
    h = h * 0xFF51AFD7ED558CCD & _MASK64
    h ^= h >> 33
    h = h * 0xC4CEB9FE1A85EC53 & _MASK64
    return h ^ (h >> 33)


class _Rand:
    """A tiny splitmix64 generator: seeding is free, unlike random.Random (~10 us per seed),
    and each item needs one or two fresh, deterministic streams. Offers the few methods
    the builders use, with random.Random's meanings."""

    __slots__ = ("_state",)

    def __init__(self, seed: int) -> None:
        self._state = seed & _MASK64

    def _next(self) -> int:
        z = self._state = (self._state + 0x9E3779B97F4A7C15) & _MASK64
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9 & _MASK64
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB & _MASK64
        return z ^ (z >> 31)

    def random(self) -> float:
        return (self._next() >> 11) * (1.0 / (1 << 53))

    def randint(self, low: int, high: int) -> int:
        return low + self._next() % (high - low + 1)

    def uniform(self, low: float, high: float) -> float:
        return low + (high - low) * self.random()

    def choice(self, options: Sequence[T]) -> T:
        return options[self._next() % len(options)]

    def weighted(self, options: Sequence[T], weights: Sequence[int]) -> T:
        roll = self._next() % sum(weights)
        for option, weight in zip(options, weights):
            if roll < weight:
                return option
            roll -= weight
        raise AssertionError("unreachable")

    def sample(self, options: Sequence[T], count: int) -> list[T]:
        pool = list(options)
        return [pool.pop(self._next() % len(pool)) for _ in range(count)]

    def randbytes(self, count: int) -> bytes:
        return hashlib.shake_128(self._next().to_bytes(8, "little")).digest(count)


# --- Turn templates and chapter layouts ---------------------------------------------------

@dataclass(frozen=True)
class Step:
    """One item slot in a turn template: its API type and which variant of it."""

    type: str
    variant: str | int | None = None
    """'user' / 'commentary' / 'final' for messages; the occurrence index k for tool items."""


USER = Step("message", "user")
COMMENTARY = Step("message", "commentary")
FINAL = Step("message", "final")
REASONING = Step("reasoning")


def _pair(call_type: str, output_type: str, k: int = 0) -> tuple[Step, Step]:
    return Step(call_type, k), Step(output_type, k)


FC0, FCO0 = _pair("function_call", "function_call_output", 0)
FC1, FCO1 = _pair("function_call", "function_call_output", 1)
SH0, SHO0 = _pair("shell_call", "shell_call_output", 0)
SH1, SHO1 = _pair("shell_call", "shell_call_output", 1)
CTC0, CTCO0 = _pair("custom_tool_call", "custom_tool_call_output", 0)
AP0, APO0 = _pair("apply_patch_call", "apply_patch_call_output", 0)
WS0 = Step("web_search_call", 0)
MCP0 = Step("mcp_call", 0)

# (weight, template). Every template starts with the user's message.
_TEMPLATES: tuple[tuple[int, tuple[Step, ...]], ...] = (
    (3, (USER, FINAL)),
    (2, (USER, REASONING, FINAL)),
    (3, (USER, REASONING, FC0, FCO0, FINAL)),
    (1, (USER, REASONING, FC0, FC1, FCO0, FCO1, FINAL)),
    (2, (USER, COMMENTARY, SH0, SHO0, FINAL)),
    (2, (USER, WS0, FINAL)),
    (1, (USER, CTC0, CTCO0, FINAL)),
    (1, (USER, REASONING, MCP0, FINAL)),
    (1, (USER, REASONING, AP0, APO0, FINAL)),
    (1, (USER, REASONING, SH0, SHO0, REASONING, AP0, APO0, SH1, SHO1, FINAL)),
)


@dataclass(frozen=True)
class _Layout:
    steps: tuple[Step, ...]
    turn_offsets: tuple[int, ...]
    """For each chapter offset, the offset where that item's turn starts."""
    turn_templates: tuple[tuple[Step, ...], ...]
    """For each chapter offset, the whole template of that item's turn."""
    types: tuple[str, ...]
    offsets_by_type: dict[str, tuple[int, ...]]
    """Chapter offsets holding each type, ascending: item_type filters jump between them."""


def _build_layouts() -> tuple[_Layout, ...]:
    rng = random.Random(20_250_101)  # fixed: layouts must be identical in every process
    shortest = min(len(t) for _, t in _TEMPLATES)
    layouts = []
    for _ in range(LAYOUT_COUNT):
        steps: list[Step] = []
        offsets: list[int] = []
        templates: list[tuple[Step, ...]] = []
        while len(steps) < CHAPTER_LEN:
            remaining = CHAPTER_LEN - len(steps)
            # Only templates that fill the chapter exactly or leave room for another template.
            fitting = [(w, t) for w, t in _TEMPLATES if len(t) == remaining or len(t) <= remaining - shortest]
            template = rng.choices([t for _, t in fitting], weights=[w for w, _ in fitting])[0]
            start = len(steps)
            steps.extend(template)
            offsets.extend([start] * len(template))
            templates.extend([template] * len(template))
        types = tuple(s.type for s in steps)
        by_type = {t: tuple(o for o, ot in enumerate(types) if ot == t) for t in set(types)}
        layouts.append(_Layout(tuple(steps), tuple(offsets), tuple(templates), types, by_type))
    return tuple(layouts)


_LAYOUTS = _build_layouts()
SYNTHETIC_TYPES = frozenset(t for layout in _LAYOUTS for t in layout.types)

_ID_PREFIX = {
    "message": "msg",
    "reasoning": "rs",
    "function_call": "fc",
    "function_call_output": "fco",
    "shell_call": "sh",
    "shell_call_output": "sho",
    "web_search_call": "ws",
    "custom_tool_call": "ctc",
    "custom_tool_call_output": "ctco",
    "mcp_call": "mcp",
    "apply_patch_call": "apc",
    "apply_patch_call_output": "apco",
}


# --- The conversation --------------------------------------------------------------------

class SyntheticItems:
    """The base items of `conv_synth_<n>`; an ItemSource (see store.py)."""

    def __init__(self, n: int) -> None:
        if not 1 <= n <= MAX_ITEMS:
            raise ValueError(f"synthetic conversations have 1..{MAX_ITEMS} items, not {n}")
        self.n = n

    def __len__(self) -> int:
        return self.n

    def _layout(self, index: int) -> tuple[_Layout, int, int]:
        chapter, offset = divmod(index, CHAPTER_LEN)
        return _LAYOUTS[_mix(self.n, chapter) % LAYOUT_COUNT], chapter * CHAPTER_LEN, offset

    def type_at(self, index: int) -> str:
        layout, _, offset = self._layout(index)
        return layout.types[offset]

    def id_at(self, index: int) -> str:
        return f"{_ID_PREFIX[self.type_at(index)]}_synth{self.n}x{index:07d}"

    def index_of(self, item_id: str) -> int | None:
        match = _ITEM_ID.fullmatch(item_id)
        if not match or int(match.group(2)) != self.n:
            return None
        index = int(match.group(3))
        if index >= self.n or _ID_PREFIX[self.type_at(index)] != match.group(1):
            return None
        return index

    def may_contain(self, item_type: str) -> bool:
        return item_type in SYNTHETIC_TYPES

    def positions_of_type(self, item_type: str, positions: range) -> Iterator[int]:
        """The indexes in `positions` (step +1 or -1) holding `item_type`, chapter by chapter."""
        if not positions:
            return
        step = positions.step
        last_chapter = positions[-1] // CHAPTER_LEN
        chapter = positions[0] // CHAPTER_LEN
        while True:
            chapter_start = chapter * CHAPTER_LEN
            offsets = _LAYOUTS[_mix(self.n, chapter) % LAYOUT_COUNT].offsets_by_type.get(item_type, ())
            for offset in offsets if step > 0 else reversed(offsets):
                if chapter_start + offset in positions:
                    yield chapter_start + offset
            if chapter == last_chapter:
                return
            chapter += step

    def item_at(self, index: int) -> dict[str, Any]:
        if not 0 <= index < self.n:
            raise IndexError(index)
        layout, chapter_start, offset = self._layout(index)
        turn_start = chapter_start + layout.turn_offsets[offset]
        turn = _Turn(
            n=self.n,
            seed=_mix(self.n, turn_start),
            template=layout.turn_templates[offset],
            position=offset - layout.turn_offsets[offset],
        )
        step = layout.steps[offset]
        item = {"id": f"{_ID_PREFIX[step.type]}_synth{self.n}x{index:07d}", **_BUILDERS[step.type](turn, step)}
        if index >= self.n - IN_PROGRESS_TAIL and "status" in item and step.type != "apply_patch_call_output":
            item["status"] = "in_progress"
        return item


class _Turn:
    """The turn an item belongs to, as seen from that item (a plain class: built per item)."""

    __slots__ = ("n", "seed", "template", "position")

    def __init__(self, n: int, seed: int, template: tuple[Step, ...], position: int) -> None:
        self.n = n
        self.seed = seed
        self.template = template
        self.position = position
        """Index of the item being built within the template."""

    def rng(self) -> _Rand:
        """Randomness private to this item."""
        return _Rand(_mix(self.seed, self.position))

    def shared_rng(self, family: str, k: int = 0) -> _Rand:
        """Randomness shared by every item of the turn that asks for the same (family, k)."""
        return _Rand(_mix(self.seed, _string_key(family), k))

    def topic_index(self) -> int:
        return self.seed % len(_TOPICS)

    def topic(self) -> "_Topic":
        return _TOPICS[self.seed % len(_TOPICS)]

    def ask(self) -> str:
        """The user's request in this turn; reasoning quotes the same one."""
        topic = self.topic()
        return topic.asks[(self.seed >> 16) % len(topic.asks)]

    def call_id(self, family: str, k: Any) -> str:
        """The call_id shared by a tool call and its output (k tells apart calls in one turn)."""
        return f"call_{_mix(self.seed, _string_key(family), int(k or 0), 1):016x}{self.seed & 0xFFFFFFFF:08x}"

    def has(self, step_type: str) -> bool:
        return any(step.type == step_type for step in self.template)


@functools.cache
def _string_key(text: str) -> int:
    # Python's str hash is salted per process; this one is stable.
    return int.from_bytes(text.encode()[:8].ljust(8, b"\0"), "little")


# --- Content banks -------------------------------------------------------------------------

@dataclass(frozen=True)
class _Topic:
    subject: str
    asks: tuple[str, ...]
    files: tuple[str, ...]
    search: str


_TOPICS: tuple[_Topic, ...] = (
    _Topic("the nightly build", ("Why does the nightly build keep failing on the ARM runners?", "Can the nightly build cache its wheels between runs?"), ("ci/nightly.yml", "scripts/build_wheels.sh"), "github actions arm64 runner wheel cache"),
    _Topic("the billing service", ("Why are EU invoices rounded differently from US ones?", "Can you add a retry around the payment webhook?"), ("billing/invoice.py", "billing/webhooks.py"), "stripe webhook retry idempotency"),
    _Topic("our onboarding email", ("Can you suggest a friendlier subject line for the onboarding email?", "Should we split the onboarding email in two?"), ("emails/onboarding.md",), "onboarding email open rate best practices"),
    _Topic("the search index", ("Why do search results for short queries look random?", "How do we reindex search without downtime?"), ("search/indexer.py", "search/ranking.py"), "elasticsearch zero downtime reindex alias"),
    _Topic("the mobile app release", ("What is still blocking the 4.2 mobile release?", "Can you write a checklist for the app store submission?"), ("mobile/CHANGELOG.md", "mobile/release.md"), "app store review guidelines changes"),
    _Topic("the data pipeline", ("Why did yesterday's pipeline run take three hours?", "How do I backfill the events table for March?"), ("pipeline/dag.py", "pipeline/backfill.sql"), "airflow backfill partitioned table"),
    _Topic("the team offsite", ("Can you draft a two-day agenda for the team offsite?", "Find three options for an offsite venue near Lisbon."), ("docs/offsite.md",), "team offsite venues Lisbon"),
    _Topic("the auth migration", ("How do we migrate sessions to the new token format?", "What breaks if we rotate the signing key today?"), ("auth/tokens.py", "auth/middleware.py"), "jwt key rotation without logging users out"),
    _Topic("the quarterly report", ("Summarize Q3 revenue by region, please.", "Which chart shows churn over time best?"), ("reports/q3.md",), "visualizing customer churn cohort chart"),
    _Topic("the flaky test suite", ("Which tests in the API suite are flaky?", "How should we quarantine flaky tests in CI?"), ("tests/test_api.py", "tests/conftest.py"), "pytest rerun flaky tests quarantine"),
    _Topic("the customer import", ("Why does the CSV import drop rows with accents?", "How can we validate phone numbers during the import?"), ("importer/csv_reader.py",), "python csv utf-8 bom accents"),
    _Topic("the recipe app", ("Plan a vegetarian dinner menu for the week.", "How do I scale the lasagna recipe to twelve people?"), ("recipes/lasagna.md",), "vegetarian lasagna for a crowd"),
    _Topic("the kubernetes cluster", ("Why do the worker pods restart every few hours?", "How should we size memory limits for the workers?"), ("deploy/workers.yaml", "deploy/values.yaml"), "kubernetes OOMKilled memory limit sizing"),
    _Topic("the marketing site", ("Why did the landing page get slower last week?", "Can we lazy-load the hero video?"), ("site/index.html", "site/app.js"), "lazy load hero video lighthouse"),
    _Topic("the on-call handbook", ("Can you rewrite the on-call escalation policy so it is clearer?", "What does a good incident summary template look like?"), ("docs/oncall.md",), "incident postmortem template blameless"),
    _Topic("the trip to Kyoto", ("Plan a three-day itinerary for Kyoto in April.", "How do I get from Kansai airport to Kyoto station?"), ("notes/kyoto.md",), "kyoto itinerary april cherry blossom"),
)

_USER_OPENERS = ("", "", "", "Hey!", "Quick one:", "Morning.", "Follow-up on {subject}:", "Different topic.", "Okay, next thing.")
_USER_DETAILS = (
    "It started after Tuesday's deploy.", "I only have about an hour for this.", "Keep it short, please.",
    "My manager wants an answer by tomorrow.", "I already tried restarting things.",
    "The logs are below.", "Nobody on the team has looked at it yet.", "Assume I know the basics.",
    "It doesn't happen on my laptop.", "We discussed this last week but never decided.",
)
_ASSISTANT_SENTENCES = (
    "The short version: {subject} is fine, but one setting is working against you.",
    "I checked {subject} and found two likely causes.",
    "Most of the time goes into a single step, so that is where to start.",
    "There's an easy fix and a more thorough one; I'd start with the easy one.",
    "Nothing here is unusual, it is mostly a configuration detail.",
    "The numbers line up with what you described.",
    "I would not change anything else until this is confirmed.",
    "If that doesn't help, the next suspect is the retry logic.",
    "This matches a known issue that was fixed upstream last month.",
    "You can verify it in a couple of minutes with the command below.",
    "I left the rest of {subject} untouched.",
    "Let me know if you want me to open a pull request for it.",
)
_COMMENTARY = (
    "Let me check the current state of the repository first.",
    "I'll run the tests to see what fails.",
    "Looking at the logs before changing anything.",
    "I'll inspect the config to confirm.",
)
_REASONING_TITLES = (
    "Planning the approach", "Checking the assumptions", "Narrowing down the cause", "Comparing options",
    "Reviewing the output", "Deciding what to change",
)
_REASONING_LINES = (
    "The user asks: \"{ask}\" I should gather facts before answering.",
    "The output suggests the problem is in {subject}, not in the client.",
    "Two options: change the config or patch the code. Config is less risky.",
    "I need to confirm the numbers before suggesting anything.",
    "The earlier result already answers half of the question.",
)
_CITIES = ("Lisbon", "Kyoto", "Oslo", "Nairobi", "Montreal", "Melbourne", "Austin", "Porto", "Seoul")
_DOMAINS = (
    "docs.python.org", "stackoverflow.com", "github.com", "en.wikipedia.org",
    "developer.mozilla.org", "kubernetes.io", "martinfowler.com", "news.ycombinator.com",
)


# Assistant sentences with each topic's subject filled in once, at import: formatting
# them per item was a visible share of a page's cost.
_TOPIC_SENTENCES: tuple[tuple[str, ...], ...] = tuple(
    tuple(sentence.format(subject=topic.subject) for sentence in _ASSISTANT_SENTENCES) for topic in _TOPICS
)


# --- Tool scenarios (arguments and results drawn from the shared per-call RNG) -------------

# Each scenario draws its arguments first and returns a thunk for the result, so the
# function_call (arguments only) and its output (arguments, then result) read the shared
# RNG in the same order and agree.
Scenario = Callable[[_Rand], tuple[dict[str, Any], Callable[[], Any]]]


def _fn_weather(rng: _Rand) -> tuple[dict[str, Any], Callable[[], Any]]:
    args = {"city": rng.choice(_CITIES), "unit": rng.choice(("celsius", "fahrenheit"))}
    return args, lambda: {
        "city": args["city"],
        "temperature": rng.randint(-5, 34),
        "conditions": rng.choice(("sunny", "light rain", "overcast", "windy")),
        "humidity": rng.randint(20, 95),
    }


def _fn_tickets(rng: _Rand) -> tuple[dict[str, Any], Callable[[], Any]]:
    query = rng.choice(("timeout", "login loop", "invoice total", "slow export"))
    args = {"query": query, "status": "open", "limit": rng.choice((5, 10))}

    def ticket() -> dict[str, Any]:
        return {
            "id": f"T-{rng.randint(1000, 9999)}",
            "title": f"{query.capitalize()} reported by customer",
            "priority": rng.choice(("low", "high", "urgent")),
        }

    return args, lambda: {"total": rng.randint(0, 40), "tickets": [ticket() for _ in range(rng.randint(1, 3))]}


def _fn_order(rng: _Rand) -> tuple[dict[str, Any], Callable[[], Any]]:
    args = {"order_id": f"ORD-{rng.randint(100000, 999999)}"}
    return args, lambda: {
        "order_id": args["order_id"],
        "status": rng.choice(("shipped", "processing", "delivered", "refunded")),
        "items": rng.randint(1, 6),
        "total_eur": round(rng.uniform(9, 480), 2),
    }


def _fn_sql(rng: _Rand) -> tuple[dict[str, Any], Callable[[], Any]]:
    table = rng.choice(("events", "invoices", "users", "sessions"))
    args = {"query": f"SELECT date_trunc('day', created_at) AS day, count(*) FROM {table} GROUP BY 1 ORDER BY 1 DESC LIMIT 7"}
    return args, lambda: {
        "columns": ["day", "count"],
        "rows": [[f"2025-03-{day:02d}", rng.randint(100, 90000)] for day in range(14, 7, -1)],
    }


def _fn_deploy(rng: _Rand) -> tuple[dict[str, Any], Callable[[], Any]]:
    args = {"service": rng.choice(("api", "worker", "web", "billing")), "environment": rng.choice(("staging", "production"))}
    return args, lambda: {
        "service": args["service"],
        "version": f"v{rng.randint(1, 4)}.{rng.randint(0, 30)}.{rng.randint(0, 9)}",
        "healthy_pods": rng.randint(1, 12),
        "last_deploy": "2025-03-14T09:12:44Z",
    }


_FUNCTIONS: tuple[tuple[str, Scenario], ...] = (
    ("get_weather", _fn_weather),
    ("search_tickets", _fn_tickets),
    ("lookup_order", _fn_order),
    ("run_sql", _fn_sql),
    ("get_deploy_status", _fn_deploy),
)

_SHELL_SCENARIOS: tuple[tuple[tuple[str, ...], tuple[tuple[str, str, int | None], ...]], ...] = (
    (("git status --short",), ((" M src/app/config.py\n M tests/test_api.py\n?? notes.md\n", "", 0),)),
    (("pytest -q tests/test_api.py",), (("....F..\nFAILED tests/test_api.py::test_retry_after - AssertionError: 2 != 3\n1 failed, 6 passed in 0.84s\n", "", 1),)),
    (("ls src", "wc -l src/app/*.py"), (("app\ncli.py\n__init__.py\n", "", 0), ("  120 src/app/config.py\n  348 src/app/server.py\n  468 total\n", "", 0))),
    (("grep -rn 'TODO' src | head -n 3",), (("src/app/server.py:88:    # TODO: handle 429 properly\nsrc/app/config.py:12:# TODO: read from env\n", "", 0),)),
    (("kubectl get pods -n workers",), (("NAME                      READY   STATUS             RESTARTS\nworker-7d9f8-abcde        1/1     Running            3\nworker-7d9f8-fghij        0/1     CrashLoopBackOff   11\n", "", 0),)),
    (("npm run build",), (("", "Error: Cannot find module './hero-video'\n    at build (site/app.js:14:9)\n", 1),)),
    (("python scripts/backfill.py --month 2025-03",), (("processed 1,204,331 rows\n", "", None),)),
)

_PATCHES: tuple[tuple[str, str, str], ...] = (
    ("update_file", "src/app/config.py", "@@ def load_settings():\n-    timeout = 5\n+    timeout = float(os.environ.get(\"APP_TIMEOUT\", \"30\"))\n"),
    ("update_file", "tests/test_api.py", "@@ def test_retry_after():\n-    assert attempts == 2\n+    assert attempts == 3\n"),
    ("create_file", "docs/runbook.md", "+# Runbook\n+\n+1. Check the dashboard.\n+2. Page the owner if errors exceed 2%.\n"),
    ("update_file", "deploy/workers.yaml", "@@ resources:\n-          memory: 512Mi\n+          memory: 1Gi\n"),
)

_MCP_TOOLS = (
    ("github", "search_issues", lambda rng: {"repo": "acme/app", "query": rng.choice(("label:bug is:open", "flaky in:title", "is:pr review:required"))}),
    ("linear", "create_issue", lambda rng: {"team": "PLAT", "title": rng.choice(("Raise worker memory limit", "Fix retry-after handling", "Reindex search without downtime"))}),
    ("notion", "search_pages", lambda rng: {"query": rng.choice(("offsite agenda", "on-call handbook", "Q3 report"))}),
)

_CUSTOM_TOOL_INPUTS = (
    ("code_exec", "import statistics\nprint(statistics.mean([12.5, 14.1, 13.8, 15.2]))", "13.9"),
    ("code_exec", "print(sum(range(1, 101)))", "5050"),
    ("sql", "SELECT region, sum(amount) FROM revenue WHERE quarter = 'Q3' GROUP BY region;", "EMEA | 1.2M\nAMER | 2.9M\nAPAC | 0.8M"),
)


def _web_search_plan(turn: _Turn) -> dict[str, Any]:
    rng = turn.shared_rng("web_search_call")
    topic = turn.topic()
    kind = rng.weighted(("search", "open_page", "find_in_page"), (6, 1, 1))
    slug = topic.search.split()[0]
    urls = [f"https://{rng.choice(_DOMAINS)}/{slug}/{rng.randint(1000, 99999)}" for _ in range(rng.randint(2, 5))]
    return {"kind": kind, "query": topic.search, "urls": urls}


# --- Item builders: one per type, each returns a fresh dict (id is added by the caller) ------

def _build_message(turn: _Turn, step: Step) -> dict[str, Any]:
    if step.variant == "user":
        return _user_message(turn)
    return _assistant_message(turn, commentary=step.variant == "commentary")


def _user_message(turn: _Turn) -> dict[str, Any]:
    rng = turn.rng()
    topic = turn.topic()
    opener = rng.choice(_USER_OPENERS).format(subject=topic.subject)
    text = f"{opener} {turn.ask()}".lstrip()
    if rng.random() < 0.5:
        text += " " + rng.choice(_USER_DETAILS)
    if rng.random() < 0.08:  # now and then a pasted log
        log = (f"2025-03-14T09:{m:02d}:{rng.randint(0, 59):02d}Z ERROR upstream timeout after 30s" for m in range(rng.randint(3, 9)))
        text += "\n\n```\n" + "\n".join(log) + "\n```"
    content: list[dict[str, Any]] = [{"type": "input_text", "text": text}]
    if rng.random() < 0.07:
        image_url = f"https://files.example.com/screenshots/{turn.seed & 0xFFFFFF:06x}.png"
        content.append({"type": "input_image", "detail": "auto", "image_url": image_url})
    return {"type": "message", "role": "user", "status": "completed", "content": content}


def _assistant_message(turn: _Turn, *, commentary: bool) -> dict[str, Any]:
    rng = turn.rng()
    if commentary:
        text = rng.choice(_COMMENTARY)
    else:
        sentences = _TOPIC_SENTENCES[turn.topic_index()]
        paragraphs = []
        for _ in range(rng.choice((1, 1, 2, 2, 3, 5))):
            paragraphs.append(" ".join(rng.choice(sentences) for _ in range(rng.randint(1, 4))))
        if rng.random() < 0.2:
            paragraphs.append("\n".join(f"- {rng.choice(sentences)}" for _ in range(rng.randint(2, 4))))
        text = "\n\n".join(paragraphs)
    annotations = [] if commentary else _citations(turn, text)
    part: dict[str, Any] = {"type": "output_text", "text": text, "annotations": annotations}
    # Logprobs exist only when the response was created asking for them: some short answers.
    if rng.random() < 0.1 and len(text) <= 300:
        part["logprobs"] = _logprobs(rng, text)
    item: dict[str, Any] = {"type": "message", "role": "assistant", "status": "completed", "content": [part]}
    if len(turn.template) > 2:  # turns with tool use label their assistant messages
        item["phase"] = "commentary" if commentary else "final_answer"
    return item


def _citations(turn: _Turn, text: str) -> list[dict[str, Any]]:
    if not turn.has("web_search_call"):
        return []
    plan = _web_search_plan(turn)
    if plan["kind"] != "search":
        return []
    end = min(len(text), 40)
    return [
        {"type": "url_citation", "url": url, "title": f"Result {n + 1} for {plan['query']}", "start_index": 0, "end_index": end}
        for n, url in enumerate(plan["urls"][:2])
    ]


_WORD_TOKEN = re.compile(r"\s*\S+")


def _logprobs(rng: _Rand, text: str) -> list[dict[str, Any]]:
    # One 64-bit draw per token feeds all three numbers: logprobs are the costliest part
    # of a synthetic page, and usually stripped again.
    logprobs = []
    for token in _WORD_TOKEN.findall(text):
        bits = rng._next()
        logprobs.append({
            "token": token,
            "bytes": list(token.encode()),
            "logprob": -(bits & 0xFFFF) / 32768,
            "top_logprobs": [
                {"token": " the", "bytes": [32, 116, 104, 101], "logprob": -2 - ((bits >> 16) & 0xFFFF) / 16384},
                {"token": " a", "bytes": [32, 97], "logprob": -3 - ((bits >> 32) & 0xFFFF) / 16384},
            ],
        })
    return logprobs


def _build_reasoning(turn: _Turn, step: Step) -> dict[str, Any]:
    rng = turn.rng()
    topic = turn.topic()
    summaries = []
    for title in rng.sample(_REASONING_TITLES, rng.choice((1, 1, 2))):
        lines = (line.format(subject=topic.subject, ask=turn.ask()) for line in rng.sample(_REASONING_LINES, 2))
        summaries.append({"type": "summary_text", "text": f"**{title}**\n\n" + " ".join(lines)})
    encrypted = "gAAAAAB" + base64.urlsafe_b64encode(rng.randbytes(rng.randint(120, 360))).decode()
    return {"type": "reasoning", "summary": summaries, "encrypted_content": encrypted}


def _build_function_call(turn: _Turn, step: Step) -> dict[str, Any]:
    name, args, _ = _function_plan(turn, step)
    return {
        "type": "function_call",
        "call_id": turn.call_id("function", step.variant),
        "name": name,
        "arguments": json.dumps(args),
        "status": "completed",
    }


def _build_function_call_output(turn: _Turn, step: Step) -> dict[str, Any]:
    _, _, result = _function_plan(turn, step)
    return {
        "type": "function_call_output",
        "call_id": turn.call_id("function", step.variant),
        "output": json.dumps(result()),
        "status": "completed",
    }


def _function_plan(turn: _Turn, step: Step) -> tuple[str, dict[str, Any], Callable[[], Any]]:
    rng = turn.shared_rng("function", int(step.variant or 0))
    name, scenario = rng.choice(_FUNCTIONS)
    args, result = scenario(rng)
    return name, args, result


def _shell_plan(turn: _Turn, step: Step) -> tuple[tuple[str, ...], tuple[tuple[str, str, int | None], ...], _Rand]:
    rng = turn.shared_rng("shell", int(step.variant or 0))
    commands, outputs = rng.choice(_SHELL_SCENARIOS)
    return commands, outputs, rng


def _build_shell_call(turn: _Turn, step: Step) -> dict[str, Any]:
    commands, _, rng = _shell_plan(turn, step)
    if rng.random() < 0.6:
        environment: dict[str, Any] = {"type": "local"}
    else:
        environment = {"type": "container_reference", "container_id": f"cntr_{turn.seed & 0xFFFFFFFFFF:010x}"}
    return {
        "type": "shell_call",
        "call_id": turn.call_id("shell", step.variant),
        "action": {"commands": list(commands), "timeout_ms": 120_000, "max_output_length": 4096},
        "environment": environment,
        "status": "completed",
    }


def _build_shell_call_output(turn: _Turn, step: Step) -> dict[str, Any]:
    _, outputs, _ = _shell_plan(turn, step)
    output = [
        {"stdout": stdout, "stderr": stderr, "outcome": {"type": "timeout"} if code is None else {"type": "exit", "exit_code": code}}
        for stdout, stderr, code in outputs
    ]
    return {
        "type": "shell_call_output",
        "call_id": turn.call_id("shell", step.variant),
        "output": output,
        "max_output_length": 4096,
        "status": "completed",
    }


def _build_web_search_call(turn: _Turn, step: Step) -> dict[str, Any]:
    plan = _web_search_plan(turn)
    if plan["kind"] == "open_page":
        action: dict[str, Any] = {"type": "open_page", "url": plan["urls"][0]}
    elif plan["kind"] == "find_in_page":
        action = {"type": "find_in_page", "url": plan["urls"][0], "pattern": plan["query"].split()[-1]}
    else:
        sources = [{"type": "url", "url": url} for url in plan["urls"]]
        action = {"type": "search", "query": plan["query"], "queries": [plan["query"]], "sources": sources}
    return {"type": "web_search_call", "action": action, "status": "completed"}


def _build_custom_tool_call(turn: _Turn, step: Step) -> dict[str, Any]:
    name, code, _ = turn.shared_rng("custom", int(step.variant or 0)).choice(_CUSTOM_TOOL_INPUTS)
    return {"type": "custom_tool_call", "call_id": turn.call_id("custom", step.variant), "name": name, "input": code}


def _build_custom_tool_call_output(turn: _Turn, step: Step) -> dict[str, Any]:
    _, _, output = turn.shared_rng("custom", int(step.variant or 0)).choice(_CUSTOM_TOOL_INPUTS)
    return {"type": "custom_tool_call_output", "call_id": turn.call_id("custom", step.variant), "output": output}


def _build_mcp_call(turn: _Turn, step: Step) -> dict[str, Any]:
    rng = turn.shared_rng("mcp", int(step.variant or 0))
    server, name, make_args = rng.choice(_MCP_TOOLS)
    item: dict[str, Any] = {"type": "mcp_call", "server_label": server, "name": name, "arguments": json.dumps(make_args(rng))}
    if rng.random() < 0.15:
        error = {"type": "http_error", "code": 502, "message": f"{server} MCP server returned 502 Bad Gateway"}
        item.update(status="failed", output=None, error=error)
    else:
        item.update(status="completed", output=json.dumps({"ok": True, "results": rng.randint(0, 12)}))
    return item


def _build_apply_patch_call(turn: _Turn, step: Step) -> dict[str, Any]:
    op, path, diff = turn.shared_rng("patch", int(step.variant or 0)).choice(_PATCHES)
    operation = {"type": op, "path": path} if op == "delete_file" else {"type": op, "path": path, "diff": diff}
    return {
        "type": "apply_patch_call",
        "call_id": turn.call_id("patch", step.variant),
        "operation": operation,
        "status": "completed",
    }


def _build_apply_patch_call_output(turn: _Turn, step: Step) -> dict[str, Any]:
    rng = turn.rng()
    failed = rng.random() < 0.15
    return {
        "type": "apply_patch_call_output",
        "call_id": turn.call_id("patch", step.variant),
        "status": "failed" if failed else "completed",
        "output": "Patch failed: context lines did not match" if failed else "Done!",
    }


_BUILDERS: dict[str, Callable[[_Turn, Step], dict[str, Any]]] = {
    "message": _build_message,
    "reasoning": _build_reasoning,
    "function_call": _build_function_call,
    "function_call_output": _build_function_call_output,
    "shell_call": _build_shell_call,
    "shell_call_output": _build_shell_call_output,
    "web_search_call": _build_web_search_call,
    "custom_tool_call": _build_custom_tool_call,
    "custom_tool_call_output": _build_custom_tool_call_output,
    "mcp_call": _build_mcp_call,
    "apply_patch_call": _build_apply_patch_call,
    "apply_patch_call_output": _build_apply_patch_call_output,
}
