"""A support agent that triages tickets and drafts replies."""
from openai import OpenAI

client = OpenAI()

SYSTEM_PROMPT = """You are a support agent for Acme Cloud.
Answer only from the knowledge base. If you are not sure, say so and offer to escalate.
Never promise refunds; the refund policy is handled by the billing team."""

TRIAGE_TEMPLATE = "Classify this ticket as one of: billing, outage, how-to, other.\n\nTicket:\n{ticket}"


def triage(ticket: str) -> str:
    response = client.chat.completions.create(
        model="gpt-4o-mini",
        max_tokens=5,
        messages=[
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": TRIAGE_TEMPLATE.format(ticket=ticket)},
        ],
    )
    return response.choices[0].message.content.strip()


def draft_reply(ticket: str, category: str, customer: str) -> str:
    response = client.chat.completions.create(
        model="gpt-4o",
        max_tokens=400,
        messages=[
            {"role": "system", "content": SYSTEM_PROMPT},
            {
                "role": "user",
                "content": f"Draft a reply to {customer} about this {category} ticket. "
                f"Keep it under 120 words.\n\n{ticket}",
            },
        ],
    )
    return response.choices[0].message.content
