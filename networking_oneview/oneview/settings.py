"""ClientSettings: how to reach one appliance and how patiently, checked once when built."""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field

# Pooled connections beyond max_concurrent_tasks, for reads running beside the writes.
POOL_HEADROOM = 8


@dataclass(frozen=True)
class ClientSettings:
    """How to reach and talk to one appliance; built by the config layer from ``[oneview]``."""

    manager_url: str
    username: str
    password: str = field(repr=False)
    auth_login_domain: str | None = None
    tls_cacert_file: str | None = None
    allow_insecure_connections: bool = False
    api_version_cap: int | None = None
    connect_timeout: float = 10
    read_timeout: float = 60
    max_retries: int = 4
    retry_backoff: float = 0.5  # first wait; doubles per retry, with jitter, up to the max below
    retry_backoff_max: float = 30.0
    # A task is waited for at most max_polling_attempts x polling_interval seconds; polls start
    # tasks.FIRST_POLL_DELAY after the write and back off by tasks.POLL_BACKOFF up to
    # polling_interval.
    max_polling_attempts: int = 120
    polling_interval: float = 2.0
    max_concurrent_tasks: int = 8  # writes whose tasks this client keeps in flight at once
    pool_maxsize: int | None = None  # keep-alive connections; see connection_pool_size
    controller: str | None = None  # this host's name in the User-Agent; None: the machine's

    def __post_init__(self) -> None:
        parsed = urllib.parse.urlsplit(self.manager_url or "")
        if parsed.username or parsed.password:
            # Do not echo the URL: it holds a credential.
            raise ValueError(
                "manager_url must not contain credentials; set username and password instead"
            )
        if parsed.scheme.lower() != "https" or not parsed.hostname:
            raise ValueError(
                f"manager_url must be an https:// URL of the OneView appliance, "
                f"got {self.manager_url!r}"
            )
        if parsed.path not in ("", "/") or parsed.query or parsed.fragment:
            raise ValueError(
                f"manager_url must name only the appliance (https://host[:port]), "
                f"got {self.manager_url!r}"
            )
        object.__setattr__(self, "manager_url", f"https://{parsed.netloc}")
        for name in ("connect_timeout", "read_timeout", "polling_interval"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be > 0, got {getattr(self, name)!r}")
        for name in ("max_retries", "retry_backoff", "retry_backoff_max"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)!r}")
        for name in ("max_polling_attempts", "max_concurrent_tasks"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)!r}")
        if self.pool_maxsize is not None and self.pool_maxsize < self.max_concurrent_tasks:
            raise ValueError(
                f"pool_maxsize must be >= max_concurrent_tasks ({self.max_concurrent_tasks}), "
                f"got {self.pool_maxsize!r}"
            )

    @property
    def connection_pool_size(self) -> int:
        """Keep-alive connections kept: one per task in flight plus POOL_HEADROOM for reads.

        A thread that finds every pooled connection busy opens a throw-away one (a TLS
        handshake, and urllib3's "pool is full" warning), so the pool fits the writes the
        slots allow and the reads that run beside them.
        """
        if self.pool_maxsize is not None:
            return self.pool_maxsize
        return self.max_concurrent_tasks + POOL_HEADROOM

    @property
    def host(self) -> str:
        return urllib.parse.urlsplit(self.manager_url).hostname or ""
