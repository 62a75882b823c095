"""Small pieces shared by the app's pure ASGI middleware."""

from __future__ import annotations

from starlette.types import Message, Send

#: one HTTP header as ASGI carries it: (name, value), lower-case bytes
Header = tuple[bytes, bytes]


def adding_header(send: Send, header: Header) -> Send:
    """``send`` that adds ``header`` to the response's start (its other messages as sent)."""

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), header]}
        await send(message)

    return sending
