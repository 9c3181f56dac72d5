"""A small client for Wikidata's action API (``wbsearchentities``, ``wbgetentities``).

Every answer is cached on disk (``var/wikidata-cache/``), one JSON file per request, named
by the SHA-256 of the request's parameters, holding ``{"request": …, "response": …}``.
Offline, only the cache answers (:class:`OfflineMiss` otherwise). Requests carry a polite
User-Agent, bounded timeouts, and ask for at most 50 entities at a time. Tests pass an
``httpx.MockTransport`` so that the network is never reached.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import httpx

from clusterld import __version__
from clusterld.errors import ClusterldError

API = "https://www.wikidata.org/w/api.php"
USER_AGENT = (f"clusterld/{__version__} (https://w3id.org/clusterld; linked-data publishing "
              "of industrial clusters; Wikidata linking tool) httpx")
TIMEOUT = httpx.Timeout(10.0, connect=5.0)
BATCH = 50  # wbgetentities takes at most 50 ids
DEFAULT_CACHE = Path("var") / "wikidata-cache"


class OfflineMiss(ClusterldError):
    """Offline mode and the answer is not in the cache."""

    exit_code = 2


class WikidataError(ClusterldError):
    """Wikidata answered with an error, or could not be reached."""


def cache_key(params: Mapping[str, Any]) -> str:
    """The cache file name of a request: SHA-256 of its sorted parameters."""
    canonical = json.dumps({k: str(v) for k, v in params.items()}, sort_keys=True,
                           ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class WikidataClient:
    """Cached, polite access to the Wikidata API."""

    def __init__(self, cache_dir: Path | None = DEFAULT_CACHE, *, offline: bool = False,
                 transport: httpx.BaseTransport | None = None, api: str = API,
                 pause: float = 0.0) -> None:
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self.offline = offline
        self.api = api
        self.pause = pause  # seconds between live requests
        self.live_requests = 0
        self._http = None if offline else httpx.Client(
            transport=transport, timeout=TIMEOUT, follow_redirects=True,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"})

    def close(self) -> None:
        """Close the HTTP connection pool."""
        if self._http is not None:
            self._http.close()

    def __enter__(self) -> WikidataClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """One API request (``format=json`` added), from the cache when it is there."""
        full = {**{k: str(v) for k, v in params.items()}, "format": "json"}
        key = cache_key(full)
        path = self.cache_dir / f"{key}.json" if self.cache_dir else None
        if path is not None and path.is_file():
            return json.loads(path.read_text(encoding="utf-8"))["response"]
        if self.offline or self._http is None:
            raise OfflineMiss(f"offline and not cached: {full.get('action')} "
                              f"{json.dumps(full, ensure_ascii=False)}")
        if self.live_requests and self.pause:
            time.sleep(self.pause)
        self.live_requests += 1
        try:
            response = self._http.get(self.api, params=full)
            response.raise_for_status()
            body = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise WikidataError(f"Wikidata request failed: {exc}") from None
        if isinstance(body, dict) and "error" in body:
            raise WikidataError(f"Wikidata: {body['error'].get('info', body['error'])}")
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".part")
            tmp.write_text(json.dumps({"request": full, "response": body}, ensure_ascii=False,
                                      indent=1), encoding="utf-8")
            tmp.replace(path)
        return body

    def search(self, text: str, language: str, limit: int = 7) -> list[dict[str, Any]]:
        """``wbsearchentities``: items whose label or alias matches ``text`` in ``language``."""
        body = self.get({"action": "wbsearchentities", "search": text, "language": language,
                         "uselang": language, "type": "item", "limit": limit})
        return list(body.get("search") or [])

    def entities(self, ids: Iterable[str],
                 props: str = "labels|aliases|descriptions|claims") -> dict[str, dict[str, Any]]:
        """``wbgetentities`` for the ids (50 per request), following redirects.

        Returns the answer's ``entities`` keyed by the id asked for: a redirected id maps to
        its target's record (with ``redirects: {from, to}``), a deleted one to
        ``{"id": …, "missing": ""}``.
        """
        wanted = list(dict.fromkeys(ids))
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(wanted), BATCH):
            chunk = wanted[start:start + BATCH]
            body = self.get({"action": "wbgetentities", "ids": "|".join(chunk),
                             "props": props, "languages": "en|fr", "redirects": "yes"})
            entities = body.get("entities") or {}
            for qid in chunk:
                record = entities.get(qid)
                if record is None:
                    record = next((e for e in entities.values()
                                   if (e.get("redirects") or {}).get("from") == qid), None)
                found[qid] = record or {"id": qid, "missing": ""}
        return found


def claim_ids(entity: Mapping[str, Any], prop: str) -> list[str]:
    """The item ids a property points to (``P31`` → ``["Q6256", …]``)."""
    out = []
    for claim in (entity.get("claims") or {}).get(prop, []):
        value = ((claim.get("mainsnak") or {}).get("datavalue") or {}).get("value")
        if isinstance(value, dict) and value.get("id"):
            out.append(str(value["id"]))
    return out


def claim_years(entity: Mapping[str, Any], prop: str) -> list[int]:
    """The years of a time property (``P571`` inception)."""
    years = []
    for claim in (entity.get("claims") or {}).get(prop, []):
        value = ((claim.get("mainsnak") or {}).get("datavalue") or {}).get("value")
        if isinstance(value, dict) and isinstance(value.get("time"), str):
            text = value["time"].lstrip("+")
            try:
                years.append(int(text.split("-", 1)[0]))
            except ValueError:
                continue
    return years


def names(entity: Mapping[str, Any], languages: Iterable[str] = ("fr", "en")) -> list[str]:
    """Labels and aliases of an entity in the languages."""
    out: list[str] = []
    for lang in languages:
        label = (entity.get("labels") or {}).get(lang)
        if label:
            out.append(label["value"])
        out.extend(a["value"] for a in (entity.get("aliases") or {}).get(lang, []))
    return out
