"""The channel feed: what is owed to which subscribed channel.

Adding a review writes one outbox row per active subscription in the same
transaction (see `Store.add_review`), so a review can never exist without its
deliveries being owed. (The dispatcher arrives with the feed issue.)
"""

from __future__ import annotations

from .store import Store


def feed_report(store: Store) -> str:
    rows = list(
        store.db.query(
            """SELECT s.platform, s.chat_id, s.thread_id, s.title, s.paused_at, s.pause_reason,
                      sum(o.status = 'pending') AS pending, sum(o.status = 'delivered') AS delivered,
                      sum(o.status = 'failed') AS failed
               FROM subscriptions s LEFT JOIN outbox o ON o.subscription_id = s.id
               GROUP BY s.id ORDER BY s.platform, s.chat_id"""
        )
    )
    if not rows:
        return "No channel is subscribed. An admin can /subscribe in a channel or chat."
    lines = ["platform  channel                       pending  delivered  failed  state"]
    for r in rows:
        where = r["chat_id"] + (f"/{r['thread_id']}" if r["thread_id"] else "")
        name = f"{where} {r['title']}".strip()[:30]
        state = f"paused: {r['pause_reason']}" if r["paused_at"] else "active"
        lines.append(
            f"{r['platform']:<9} {name:<30} {r['pending'] or 0:>7}  {r['delivered'] or 0:>9}  "
            f"{r['failed'] or 0:>6}  {state}"
        )
    return "\n".join(lines)
