"""The server store: a ClickHouse server (or cluster endpoint) over HTTP(S) through clickhouse-connect.

The client is shared by threads (the receiver's writer inserts while its web page queries), so it runs without an
HTTP session: ClickHouse refuses concurrent requests within one session. Inserts use asynchronous inserts and
wait for them, like the collector's exporter, so that many small batches from in-process exporters are merged by
the server instead of each becoming a part.
"""

from __future__ import annotations

import clickhouse_connect
from clickhouse_connect.driver.exceptions import ClickHouseError

from otel_agentcost.store.client import ClientStore, driver_reason
from otel_agentcost.store.errors import StoreUnavailableError
from otel_agentcost.store.interface import Store
from otel_agentcost.store.url import StoreURL

INSERT_SETTINGS = {"async_insert": 1, "wait_for_async_insert": 1}
CONNECT_TIMEOUT_SECONDS = 10


def open_server(url: StoreURL) -> Store:
    try:
        client = clickhouse_connect.get_client(
            interface=url.scheme,
            host=url.host,
            port=url.port,
            username=url.username or "default",
            password=url.password or "",
            connect_timeout=CONNECT_TIMEOUT_SECONDS,
            autogenerate_session_id=False,
            tz_mode="aware",
        )
    except ClickHouseError as error:
        raise StoreUnavailableError(f"cannot reach the ClickHouse server at {url}: {driver_reason(error)}") from error
    return ClientStore(client, url, insert_settings=INSERT_SETTINGS)
