"""Router v1: pure, table-tested routing policy.

Precedence (first match decides the locality; see README "Routing rules"):
1. privacy — a private conversation (DM, `local-only` channel, `--private`), a conversation that
   once carried sensitive content (sticky), or sensitive content in this message → local only,
   fail closed: no local model means a refusal, never a cloud fallback;
2. an explicit pin (`/model provider:model`, `local`, `cloud`) — a cloud pin under rule 1 is
   overridden with a notice;
3. the agent's route preference;
4. the cloud budget — when spent, local;
5. difficulty ≥ threshold → cloud, else local (`prefer_local` off → cloud); the score comes from
   bot/difficulty.py and may be inherited from the turn a follow-up continues.
An unhealthy choice falls back to another model of the same locality, then crosses over only
where privacy allows. Reason codes are stable identifiers; `explain()` turns them into words.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from bot.providers.base import Locality, ModelInfo

# Reason code → plain words, used by /why and the footer.
REASONS: dict[str, str] = {
    "private-conversation": "this conversation is private (DM or private mode), so it stays local",
    "channel-local-only": "this channel's privacy level is local-only",
    "sticky-private": "this conversation carried sensitive content earlier, so it stays local",
    "stored-private": "the message was written while this conversation had to stay local, so it stays local",
    "sensitive-content": "the message carries sensitive content",
    "secret-content": "the message carries a secret",
    "knowledge-private": "a passage from the team's documents is local-only or carries sensitive content",
    "pinned": "a model is pinned with /model",
    "pinned-local": "/model is set to local",
    "pinned-cloud": "/model is set to cloud",
    "pin-overridden-by-privacy": "the pinned cloud model was not used because privacy requires local",
    "pin-unavailable": "the pinned model is not available now",
    "agent-prefers-local": "the agent prefers a local model",
    "agent-prefers-cloud": "the agent prefers a cloud model",
    "budget-exhausted": "the monthly cloud budget is spent",
    "complex": "the request looks complex",
    "follow-up-of-hard-turn": "it continues an earlier request that looked hard, so it inherits that difficulty",
    "escalated-after-dislike": "the previous local answer in this thread got 👎 or 🔁, so a stronger model answers",
    "judge-cloud": "the score was borderline and the local judge said it needs a stronger model",
    "judge-local": "the score was borderline and the local judge said a local model can answer it",
    "judge-no-answer": "the score was borderline; the local judge gave no clear answer in time, so the score decided",
    "simple": "the request looks simple",
    "prefer-cloud": "routing prefers the cloud when privacy allows",
    "tools-needed": "the agent uses tools, so a model with native tool calling was preferred",
    "tool-result-sensitive": "a tool result carried private data, so a local model finished the answer",
    "no-cloud-model": "no cloud model is configured or healthy",
    "fallback-unhealthy": "the first choice was unavailable, so another model answered",
    "no-local-model": "no local model is available",
    "redacted-for-cloud": "the message carries sensitive content, so the cloud model got placeholders "
    "(such as ⟨EMAIL_1⟩, swapped back in the answer) instead of it (this channel's privacy level is redact)",
    "image-local": "the message carries an image, and images stay on local models (privacy.images)",
    "vision-needed": "the message carries an image, so a model that reads images answers",
}

SHORT: dict[str, str] = {
    "private-conversation": "private",
    "channel-local-only": "local-only channel",
    "sticky-private": "sensitive earlier",
    "stored-private": "written under a stricter level",
    "sensitive-content": "sensitive content",
    "secret-content": "secret detected",
    "knowledge-private": "private passage",
    "pinned": "pinned",
    "pinned-local": "pinned local",
    "pinned-cloud": "pinned cloud",
    "pin-overridden-by-privacy": "pin overridden by privacy",
    "agent-prefers-local": "agent prefers local",
    "agent-prefers-cloud": "agent prefers cloud",
    "budget-exhausted": "budget spent",
    "complex": "complex",
    "follow-up-of-hard-turn": "hard follow-up",
    "escalated-after-dislike": "escalated after 👎/🔁",
    "judge-cloud": "judge: cloud",
    "judge-local": "judge: local",
    "judge-no-answer": "judge: no answer",
    "simple": "simple",
    "prefer-cloud": "prefer cloud",
    "no-cloud-model": "no cloud model",
    "fallback-unhealthy": "fallback",
    "pin-unavailable": "pin unavailable",
    "tools-needed": "needs tools",
    "tool-result-sensitive": "tool result kept local",
    "no-local-model": "no local model",
    "redacted-for-cloud": "sensitive parts redacted",
    "image-local": "image stays local",
    "vision-needed": "reads images",
}


@dataclass(frozen=True)
class RouteRequest:
    privacy_level: str = "standard"  # local-only | standard | redact | cloud-ok
    private_conversation: bool = False  # DM / --private
    sticky_private: bool = False
    stored_private: bool = False  # regenerating a message stored as local-only (see Store.add_message)
    sensitive: bool = False  # any sensitive finding in this message
    secret: bool = False  # a secret among the findings
    private_knowledge: bool = False  # a retrieved passage is local-only or sensitive (bot/knowledge/grounding.py)
    model_setting: str = "auto"  # auto | local | cloud | provider:model
    agent_route: str = "auto"
    needs_tools: bool = False
    budget_exhausted: bool = False
    complexity: float = 0.0
    threshold: float = 0.6
    inherited: bool = False  # the score came from the turn this one follows up (bot/difficulty.py)
    escalated: bool = False  # raised after 👎/🔁 on a local answer
    judged: str = ""  # the routing judge's verdict (bot/routing_judge.py), "" when not asked
    prefer_local: bool = True
    models: tuple[ModelInfo, ...] = ()  # catalog order
    unhealthy: frozenset[str] = frozenset()  # model refs known to be failing now
    preferred_local: str = ""
    preferred_cloud: str = ""
    needs_vision: bool = False  # the turn carries images: only models with the vision capability
    images_local: bool = False  # ...and they may go to local models only (privacy.images = "local")


@dataclass(frozen=True)
class RouteDecision:
    model: ModelInfo | None
    reasons: tuple[str, ...]
    must_stay_local: bool
    refusal: str = ""  # set when model is None: what happened and what to do
    notices: tuple[str, ...] = field(default_factory=tuple)

    @property
    def locality(self) -> str:
        return self.model.locality if self.model else "local"


def privacy_reasons(req: RouteRequest) -> list[str]:
    """Why this turn must stay local ([] when the cloud is allowed)."""
    reasons = []
    if req.private_conversation:
        reasons.append("private-conversation")
    elif req.privacy_level == "local-only":
        reasons.append("channel-local-only")
    if req.sticky_private:
        reasons.append("sticky-private")
    if req.stored_private and not reasons:  # only when nothing else already keeps it local
        reasons.append("stored-private")
    if req.private_knowledge:
        reasons.append("knowledge-private")
    if req.privacy_level == "redact":
        pass  # sensitive spans are replaced with placeholders for the cloud instead (see _select)
    elif req.secret:
        reasons.append("secret-content")
    elif req.sensitive and req.privacy_level != "cloud-ok":
        reasons.append("sensitive-content")
    if req.images_local:
        reasons.append("image-local")
    return reasons


def _pick(req: RouteRequest, locality: str, *, exclude: frozenset[str]) -> ModelInfo | None:
    """The preferred model of a locality, else the first usable one. An agent with tools prefers models with
    native tool calling; any other model still serves it (through the text tool protocol)."""
    preferred = req.preferred_local if locality == "local" else req.preferred_cloud
    usable = [
        m for m in req.models if m.locality == locality and m.ref not in exclude and (m.vision or not req.needs_vision)
    ]
    if req.needs_tools and any(m.tools for m in usable):
        usable = [m for m in usable if m.tools]  # prefer tool-capable models; others use the text protocol
    for m in usable:
        if m.ref == preferred:
            return m
    return usable[0] if usable else None


def _find(req: RouteRequest, ref: str) -> ModelInfo | None:
    return next((m for m in req.models if m.ref == ref), None)


def route(req: RouteRequest) -> RouteDecision:
    reasons = privacy_reasons(req)
    must_local = bool(reasons)
    notices: list[str] = []
    setting = req.model_setting or "auto"

    # 2. explicit pin
    if setting not in ("auto", "local", "cloud"):
        pinned = _find(req, setting)
        if pinned is not None and req.needs_vision and not pinned.vision:
            reasons.append("pin-unavailable")
            notices.append(f"The pinned model {setting} can't read images, so another model answered.")
            want = "local" if must_local else pinned.locality
        elif pinned is None or pinned.ref in req.unhealthy:
            reasons.append("pin-unavailable")
            notices.append(f"The pinned model {setting} is not available now.")
            want = pinned.locality if pinned else ("local" if must_local else _auto(req, reasons))
        elif pinned.locality == "cloud" and must_local:
            reasons.append("pin-overridden-by-privacy")
            notices.append(f"Privacy kept this turn local instead of the pinned cloud model {pinned.ref}.")
            want = "local"
        else:
            reasons.append("pinned")
            if pinned.locality == "cloud" and req.sensitive and req.privacy_level == "redact":
                reasons.append("redacted-for-cloud")
            return RouteDecision(pinned, tuple(reasons), must_local, notices=tuple(notices))
    elif setting == "local":
        reasons.append("pinned-local")
        must_local = True  # the user asked for local: never cross to the cloud for them
        want = "local"
    elif setting == "cloud":
        if must_local:
            reasons.append("pin-overridden-by-privacy")
            notices.append("Privacy kept this turn local although /model is set to cloud.")
            want = "local"
        else:
            reasons.append("pinned-cloud")
            want = "cloud"
    elif must_local:
        want = "local"
    elif req.agent_route in ("local", "cloud"):
        reasons.append(f"agent-prefers-{req.agent_route}")
        want = "local" if req.agent_route == "local" else "cloud"
    else:
        want = _auto(req, reasons)

    if want == "cloud" and req.budget_exhausted:
        reasons.append("budget-exhausted")
        want = "local"
    if req.needs_vision:
        reasons.append("vision-needed")
    decision = _select(req, want, must_local, reasons, notices)
    if req.needs_tools and decision.model is not None:
        untooled = _select(replace(req, needs_tools=False), want, must_local, [], [])
        if untooled.model != decision.model:  # said only when tool support changed the choice
            decision = replace(decision, reasons=(*decision.reasons, "tools-needed"))
    return decision


def _auto(req: RouteRequest, reasons: list[str]) -> Locality:
    if not req.prefer_local:
        reasons.append("prefer-cloud")
        return "cloud"
    judge = {"cloud": "judge-cloud", "local": "judge-local", "timeout": "judge-no-answer", "unclear": "judge-no-answer"}
    if req.complexity >= req.threshold:
        reasons.append("complex")
        want: Locality
        if req.escalated:
            reasons.append("escalated-after-dislike")
        elif req.inherited:
            reasons.append("follow-up-of-hard-turn")
        want = "cloud"
    else:
        reasons.append("simple")
        want = "local"
    if req.judged in judge:
        reasons.append(judge[req.judged])
    return want


def _select(req: RouteRequest, want: str, must_local: bool, reasons: list[str], notices: list[str]) -> RouteDecision:
    chosen = _pick(req, want, exclude=req.unhealthy)
    first_choice = _pick(req, want, exclude=frozenset())
    if first_choice is not None and chosen is not None and chosen != first_choice:
        reasons.append("fallback-unhealthy")  # only when another model does answer
    if chosen is None and want == "cloud":
        reasons.append("no-cloud-model")
        chosen = _pick(req, "local", exclude=req.unhealthy)
    if chosen is None and want == "local" and not must_local:
        chosen = _pick(req, "cloud", exclude=req.unhealthy)
        if chosen is not None:
            reasons.append("no-local-model")
    if chosen is None:
        reasons.append("no-local-model")
        return RouteDecision(
            None, tuple(reasons), must_local, refusal=_refusal(req, must_local), notices=tuple(notices)
        )
    if chosen.locality == "cloud" and req.sensitive and req.privacy_level == "redact":
        reasons.append("redacted-for-cloud")
    return RouteDecision(chosen, tuple(reasons), must_local, notices=tuple(notices))


def _refusal(req: RouteRequest, must_local: bool) -> str:
    if req.needs_vision and req.images_local:
        return (
            'This message has an image, and images stay on local models (privacy.images = "local"), but no '
            "local model that reads images is available — so nothing was sent to the cloud. Ask the operator "
            "to pull one (e.g. `ollama pull llava` or `ollama pull qwen2.5vl`), or describe the image in words."
        )
    if req.needs_vision:
        return (
            "This message has an image, but no model that reads images is available here (or privacy keeps "
            "this conversation on local models, and none of them reads images). Describe it in words, or ask "
            "the operator to add a vision model."
        )
    if must_local:
        return (
            "No local model is available right now, and this conversation must stay on local models "
            "(it is private or carries sensitive content), so nothing was sent to the cloud. "
            "Start Ollama or install the embedded model (see `hybridbot doctor`), then try again."
        )
    return "No model is available right now. Run `hybridbot doctor` to see what is unreachable."


def explain(reasons: tuple[str, ...] | list[str]) -> list[str]:
    return [REASONS.get(code, code) for code in reasons]


def short_reasons(reasons: tuple[str, ...] | list[str]) -> str:
    return ", ".join(SHORT[c] for c in reasons if c in SHORT)
