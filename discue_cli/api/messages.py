"""One function per message endpoint."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from discue_cli.api import MAX_PAGES, Reply, call, embed_query, listing, next_query, segment
from discue_cli.api.client import Client
from discue_cli.api.generations import SINCE_2023, display, refuse_unless, tracker, with_name, write, writing
from discue_cli.api.queues import path as queue_path


def path(queue_id: str, message_id: str | None = None) -> str:
    base = f"{queue_path(queue_id)}/messages"
    return base if message_id is None else f"{base}/{segment(message_id, 'message id')}"


async def list_all_messages(client: Client, embed: bool = False) -> Reply:
    return await listing(client, "/messages", "messages", embed)


async def list_messages(client: Client, queue_id: str, embed: bool = False) -> Reply:
    return await listing(client, path(queue_id), "messages", embed)


async def get_message(client: Client, queue_id: str, message_id: str) -> Reply:
    return Reply.one(await call(client, "GET", path(queue_id, message_id)), "message")


async def add_message(client: Client, queue_id: str, data: str, name: str | None = None) -> Reply:
    """A new message; only a named one needs to know the generation (a batch of plain data never asks)."""
    if name is None:
        return Reply.one(await call(client, "POST", path(queue_id), json_body={"data": data}), "message")

    async def named() -> dict:
        generation = await writing(client)
        refuse_unless(client, "message names on create", SINCE_2023)
        return with_name(generation, {"name": name, "data": data})

    return Reply.one(await write(client, "POST", path(queue_id), "message", named, ("name",)), "message")


async def update_message(client: Client, queue_id: str, message_id: str, name: str) -> Reply:
    body = with_name(await writing(client), {"name": name})
    return Reply.one(await call(client, "PUT", path(queue_id, message_id), json_body=body), "message")


async def delete_message(client: Client, queue_id: str, message_id: str) -> None:
    await call(client, "DELETE", path(queue_id, message_id))


# -- long listings, read as they arrive


async def stream_messages(client: Client, queue_id: str, embed: bool = False) -> AsyncIterator[dict[str, Any]]:
    """A queue's messages one at a time, parsed as the reply arrives: a listing of 100,000 messages is
    never held whole (a person's table or a pipe takes them in turn). Without `embed` the plain listing
    is asked for, the cheapest the generation has (ids and names where the API sends only those)."""
    params = embed_query(client, embed)
    held: list[dict[str, Any]] | None = [] if params else None  # briefs, until `_embedded` shows up (2022-05)
    async for where, item in listing_items(client, path(queue_id), params, "messages"):
        if where == "_embedded":
            held = None  # the full messages follow: the briefs were only their ids
            yield display(item)
        elif held is None:
            yield display(item)
        elif "data" in item:  # whole messages already (2023-04 on): nothing to wait for
            for brief in held:
                yield display(brief)
            held = None
            yield display(item)
        else:
            held.append(item)
    for item in held or ():
        yield display(item)


async def listing_items(
    client: Client, where: str, params: dict[str, Any] | None, key: str
) -> AsyncIterator[tuple[str, dict[str, Any]]]:
    """(`key` or `_embedded`, item) for each object in the listing's `key` and `_embedded.key` arrays,
    page after page while a reply links a next one on the same path (`_links.next`: pagination as the
    API overview plans it); a reply without such a link is the whole listing."""
    asked: set[tuple[tuple[str, str], ...]] = set()
    query = params
    for _ in range(MAX_PAGES):
        ended: list[ListingParser] = []
        async for item in page_items(client, where, query, key, ended):
            yield item
        page = next_query(ended[0].next_href if ended else None, where, client.base_url)
        if page is None or page in asked:
            return
        asked.add(page)
        query = {**(params or {}), **dict(page)}


async def page_items(
    client: Client, where: str, params: dict[str, Any] | None, key: str, ended: list[ListingParser]
) -> AsyncIterator[tuple[str, dict[str, Any]]]:
    """The items of one reply; its parser is put in `ended` once the reply was read to its end.

    The client's rules, for a reply read as it arrives: the key is required, an error status or a failed
    connection is retried (--retries, Retry-After) until the first item, a redirect is refused."""
    import asyncio

    import httpx

    from discue_cli.api import client as http
    from discue_cli.errors import ApiError, AuthError

    if client.require_key and not client.api_key:
        raise AuthError("no API key", hint="set one with `discue auth login`, --api-key or DISCUE_API_KEY")
    attempt = 0
    while True:
        wait = None
        parsed = ListingParser(key)
        try:
            async with client.stream(where, params) as response:
                status = response.status_code
                if 200 <= status < 300:
                    async for chunk in response.aiter_bytes():
                        items = parsed.feed(chunk)
                        if items and parsed.count == len(items):  # the first ones: what generation they show
                            tracker(client).observe(parsed.sample(items[0]))
                        for item in items:
                            yield item
                    parsed.close(client.origin)
                    ended.append(parsed)
                    return
                body = await http.read_body(response, 64 * 1024)
        except httpx.TransportError as exc:
            failure = http.describe_failure(exc, client.origin, client.timeout, client.via)
            # A GET is safe to send again, unless a handshake failed (it fails again) or items went out.
            again = isinstance(exc, (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError))
            again = again and http.tls_failure(exc) is None
            if parsed.count or attempt >= client.retries or not again:
                raise failure from None
            wait = http.backoff(attempt, client.backoff_base)
        if wait is None:
            if 300 <= status < 400:
                raise ApiError("the endpoint redirected", status=status, hint="point --api-endpoint at the final URL")
            if status not in http.RETRY_STATUS_IDEMPOTENT or attempt >= client.retries:
                raise client.hinted(http.error_from_response(status, body), "GET", where)
            retry_after = http.retry_after_seconds(response.headers.get("Retry-After"))
            wait = http.backoff(attempt, client.backoff_base, retry_after)
        attempt += 1
        await (client.sleep or asyncio.sleep)(wait)


class ListingParser:
    """The objects of a listing's `KEY` and `_embedded.KEY` arrays, built as its bytes arrive (ijson)."""

    def __init__(self, key: str):
        import ijson

        self.key = key
        self.top, self.embedded = f"{key}.item", f"_embedded.{key}.item"
        self.events = ijson.sendable_list()
        self.parser = ijson.parse_coro(self.events)
        self.builder: Any = None
        self.within = ""
        self.count = 0
        self.next_href: Any = None  # the reply's `_links.next` (its `href`), when it links a next page

    def feed(self, chunk: bytes) -> list[tuple[str, dict[str, Any]]]:
        import ijson

        from discue_cli.errors import ApiError

        try:
            self.parser.send(chunk)
        except ijson.JSONError:
            raise ApiError("unexpected reply: a listing that is not valid JSON", status=200) from None
        items = []
        for prefix, event, value in self.events:
            if self.builder is None:
                if event == "string" and prefix in ("_links.next.href", "_links.next"):
                    self.next_href = value
                if event == "start_map" and prefix in (self.top, self.embedded):
                    self.builder, self.within = ijson.ObjectBuilder(), prefix
                    self.builder.event(event, value)
                continue
            self.builder.event(event, value)
            if event == "end_map" and prefix == self.within:
                items.append((self.key if self.within == self.top else "_embedded", self.builder.value))
                self.builder = None
        del self.events[:]
        self.count += len(items)
        return items

    def close(self, origin: str) -> None:
        import ijson

        from discue_cli.errors import ApiError, NoResponseError

        try:
            self.parser.close()
        except ijson.IncompleteJSONError:
            raise NoResponseError(f"the connection to {origin} was dropped before a complete reply") from None
        except ijson.JSONError:
            raise ApiError("unexpected reply: a listing that is not valid JSON", status=200) from None

    def sample(self, item: tuple[str, dict[str, Any]]) -> dict[str, Any]:
        """A body that shows what the first item shows of the generation (for `auto` to learn from)."""
        where, first = item
        return {self.key: [first], **({"_embedded": {}} if where == "_embedded" else {})}
