#!/usr/bin/env python3
"""A stand-in Kubernetes API server for tests (Python 3 standard library only).

It serves the read side of the Kubernetes API -- discovery, GET, LIST and WATCH --
over HTTPS on loopback, well enough for the real kubectl and client-go, and a
plain-HTTP control API on a second loopback port through which a test changes
the cluster, compacts history, injects faults and reads what clients sent.

Faithful, because clients depend on it:
  * Bearer-token authentication against --token-file, re-read on every request
    (one token per line); a wrong or missing token gets 401 with the real
    Status body. With --anonymous-auth a request without a token is
    system:anonymous instead and gets 403 outside the public paths.
  * Legacy discovery (/api, /api/v1, /apis, /apis/G, /apis/G/V) and /version.
    Aggregated discovery is not offered: kubectl asks for it in Accept, gets
    plain application/json and falls back to the per-group documents, as it
    does against servers before 1.26. Installing a CRD adds its group; kubectl
    refreshes a stale discovery cache when a resource type is not in it.
  * One global resourceVersion counter, like etcd's revision: each create,
    update and delete takes the next one and stamps metadata.resourceVersion.
  * LIST with limit/continue as consistent snapshots at the first page's RV
    (later pages are read "as of" that RV, rebuilt from the history when objects
    changed meanwhile); remainingItemCount without selectors; a continue token
    or an Exact resourceVersion older than the compaction point gives 410
    Expired with the real message (and, as the real server does, a fresh
    "inconsistent" continue token in the Status). resourceVersion semantics
    follow the API concepts table: unset = most recent; "0" = any, served like
    the watch cache, i.e. limit is ignored and the whole list comes back; N with
    a limit (or resourceVersionMatch=Exact) = exactly N; N without a limit (or
    NotOlderThan) = not older than N. Items carry no kind/apiVersion.
  * labelSelector (=, ==, !=, in, notin, exists, !exists, gt/lt) and
    fieldSelector (=, ==, != on metadata.name, metadata.namespace and the
    fields the real server indexes for pods, nodes and namespaces); any other
    field is refused with 400, as the real server does.
  * Server-side printing: Accept ...;as=Table;g=meta.k8s.io;v=v1 (kubectl's
    default output) gets a meta.k8s.io/v1 Table whose metadata carries the
    list's continue token, rows carrying PartialObjectMetadata (or the object
    with includeObject=Object), for lists, single objects and watches.
  * WATCH: 200, chunked, newline-delimited {"type","object"} events whose
    objects carry kind/apiVersion; replay from the history after the given RV;
    RV unset or "0" starts with synthetic ADDED events for the current state;
    sendInitialEvents=true ends them with the k8s.io/initial-events-end
    bookmark; selectors turn objects leaving/entering the selection into
    DELETED/ADDED; BOOKMARK every --bookmark-interval and right before the
    stream ends at timeoutSeconds (clean zero chunk); an RV older than the
    compaction point gives one ERROR event (Status 410 Expired, "too old
    resource version: X (Y)") and the end of the stream.
  * 429 with Retry-After and a TooManyRequests Status, injected on demand.

The control API (plain HTTP, JSON in and out; tests/kube_lib.sh wraps it):
  GET  /healthz, /state             liveness; resourceVersion, compaction point, counts
  POST /objects                     create or update (object, array, List, or several
                                    concatenated documents), one batch under one lock
  DELETE /objects?apiVersion=&kind=&namespace=&name=   (or POST /objects/delete
                                    with objects in the body)
  POST /compact [{"resourceVersion": N}]   every revision before now (or N) is gone
  GET  /watches                     the open watches; POST /watches/drop
                                    [{"mode": "close"|"end"}] cuts or ends them all
  POST /crds/install, /crds/uninstall {"resource": "servicemonitors"|"podmonitors"}
  POST /throttle {"count": K, "resource": "pods"|"*", "retry_after": N}
  POST /hostile {"resource": "networkpolicies"|"*", "mode": M, "count": N, "on": "list"|"watch",
                 "seconds": S, "bytes": B, "depth": D, "lines": L, "variant": V}
                                    the next N list and/or watch requests for the resource get a
                                    hostile answer (see "Hostile modes" below); GET /hostile: the
                                    rules left and the answers given; DELETE /hostile drops the rules
  GET  /requests[?since=SEQ], DELETE /requests   what clients sent (method, path with
                                    query, bearer token, status, Accept, User-Agent; "hostile":
                                    the mode when one answered)
  POST /generate {"namespaces", "nodes", "pods", "networkpolicies", "agents", "seed"}
                                    "agents": true adds netprobe's agent DaemonSet (a pod per node in
                                    monitoring, at the address bench/controller_load advertises for
                                    it) and CoreDNS (kube-system, the kube-dns Service and its slice)
Malformed input is the test's own bug and gets a 400 with {"error": ...}.

Deliberately unfriendly, so clients prove they cope:
  * Every --split-every'th event of a stream is cut in the middle across two
    chunks, and events that are ready together share chunks, so a chunk can
    hold the end of one event and the next whole one.

Hostile modes, only when a test asks for them (POST /hostile), to prove a client survives a
broken or malicious server: each answers the next `count` matching requests, and none holds a
thread longer than `seconds` (at most 55 s, the watch some of them turn into included):
  huge_event       a watch: one event line of `bytes` (5 MiB), a BOOKMARK in its last chunk, then
                   the normal watch (so the events after it must still be applied)
  deep_json        a watch event (then the normal watch) or a list item nested `depth` (100,000) levels
  huge_list        a list body of `bytes` (80 MiB), streamed: chunked, or "content_length": true
  garbage          a watch: `lines` (200) lines of random non-JSON bytes, then the normal watch
  trickle          a 200 whose body comes a byte a second and never a newline, for `seconds` (15)
  stall_headers    the request is read and never answered for `seconds` (15)
  bad_chunking     a 200, chunked, broken after the first chunk ("variant": bad_size | overrun)
  wrong_types      valid JSON, wrong types: metadata.name a number, resourceVersion a number, labels
                   holding objects, items an object, a Status whose code is a string
  chunk_ext_flood  a 200 whose first chunk header never ends (`bytes`, 128 MiB, of chunk extension;
                   "variant": trailer for an endless trailer after the last chunk)
  expired          a list gets 410 Expired; a watch a 200 with one ERROR (410) event ("http": true: a 410)
Without a rule nothing changes. Each answer is recorded (GET /hostile: "sent" once the hostile
part is written, "done" once the answer is over) and named in the request log.

Simplified:
  * Read-only: POST/PUT/PATCH/DELETE on the Kubernetes API answer 405 (the
    discovery documents say get, list, watch). The control API writes below
    the API, as if into etcd: no admission, no validation beyond shape, no
    namespace existence check, custom resources may be stored while their CRD
    is not installed (they are served once it is), and deleting a CRD keeps
    them.
  * JSON only: protobuf, YAML, CBOR and PartialObjectMetadata(List) answers are
    406 unless JSON is acceptable too. No HTTP/2 (ALPN offers http/1.1, and
    kubectl and client-go fall back to it), no OpenAPI (/openapi/v2 and /v3 are
    404: kubectl get, api-resources and client-go informers never ask; kubectl
    explain, apply and edit would), no subresources (pods/log, .../status), no
    RBAC beyond the token, no managedFields.
  * Table cells follow the real printers only for pods (Ready, Status, Restarts,
    Age; IP and Node with -o wide), services, nodes, namespaces and network
    policies, in simplified form; every other type gets Name and Age.
  * History is kept per resource type until compaction (or --history-limit
    events, whichever comes first); the synthetic large cluster of POST
    /generate is compacted right after it is made, as if etcd had compacted.
  * A watch whose client went away is noticed within a second; one more than
    --max-watch-queue events behind is closed, like the watch cache's
    "too slow" watchers.
"""

import argparse
import base64
import bisect
import collections
import datetime
import gc
import hmac
import ipaddress
import itertools
import json
import os
import random
import re
import select
import socket
import socketserver
import ssl
import sys
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, HTTPServer

SERVER_VERSION = {"major": "1", "minor": "30", "gitVersion": "v1.30.0-netprobe-standin",
                  "gitCommit": "0000000000000000000000000000000000000000", "gitTreeState": "clean",
                  "buildDate": "2024-04-17T00:00:00Z", "goVersion": "go1.22.2", "compiler": "gc",
                  "platform": "linux/amd64"}
PUBLIC_PATHS = ("/healthz", "/livez", "/readyz", "/version")  # system:public-info-viewer
JSON = "application/json"
WATCH_CHUNK_BYTES = 64 * 1024


LOG_LOCK = threading.Lock()


def log(*parts):
    """One line on stderr, written whole (request threads log concurrently)."""
    line = " ".join([time.strftime("%H:%M:%S")] + [str(p) for p in parts]) + "\n"
    with LOG_LOCK:
        sys.stderr.write(line)
        sys.stderr.flush()


def now_rfc3339():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def dumps(value):
    """Compact JSON, as the real server writes it."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


# --------------------------------------------------------------------------------------------
# Resource types
# --------------------------------------------------------------------------------------------

class ResourceType:
    """One served resource: where it lives in the URL space and what discovery says about it."""

    def __init__(self, group, version, plural, singular, kind, namespaced, short_names=(),
                 categories=(), extra_fields=()):
        self.group, self.version, self.plural, self.singular = group, version, plural, singular
        self.kind, self.namespaced = kind, namespaced
        self.short_names, self.categories = list(short_names), list(categories)
        # Field selectors the real server supports beyond metadata.name/namespace.
        self.fields = ["metadata.name"] + (["metadata.namespace"] if namespaced else []) + list(extra_fields)

    @property
    def api_version(self):
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def id(self):
        return (self.group, self.plural)

    @property
    def shape(self):
        return (self.group, self.version, self.plural, self.kind, self.namespaced)

    @property
    def qualified(self):
        """How error messages name it: pods, networkpolicies.networking.k8s.io."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    def discovery(self):
        entry = {"name": self.plural, "singularName": self.singular, "namespaced": self.namespaced,
                 "kind": self.kind, "verbs": ["get", "list", "watch"]}
        if self.short_names:
            entry["shortNames"] = self.short_names
        if self.categories:
            entry["categories"] = self.categories
        return entry


POD_FIELDS = ("spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
              "spec.hostNetwork", "status.phase", "status.podIP", "status.nominatedNodeName")
BUILTIN_TYPES = [
    ResourceType("", "v1", "namespaces", "namespace", "Namespace", False, ["ns"], extra_fields=["status.phase"]),
    ResourceType("", "v1", "nodes", "node", "Node", False, ["no"], extra_fields=["spec.unschedulable"]),
    ResourceType("", "v1", "pods", "pod", "Pod", True, ["po"], ["all"], POD_FIELDS),
    ResourceType("", "v1", "services", "service", "Service", True, ["svc"], ["all"]),
    ResourceType("", "v1", "serviceaccounts", "serviceaccount", "ServiceAccount", True, ["sa"]),
    ResourceType("discovery.k8s.io", "v1", "endpointslices", "endpointslice", "EndpointSlice", True),
    ResourceType("networking.k8s.io", "v1", "networkpolicies", "networkpolicy", "NetworkPolicy", True, ["netpol"]),
    ResourceType("apps", "v1", "deployments", "deployment", "Deployment", True, ["deploy"], ["all"]),
    ResourceType("apps", "v1", "daemonsets", "daemonset", "DaemonSet", True, ["ds"], ["all"]),
    ResourceType("apps", "v1", "statefulsets", "statefulset", "StatefulSet", True, ["sts"], ["all"]),
    ResourceType("apps", "v1", "replicasets", "replicaset", "ReplicaSet", True, ["rs"], ["all"]),
    ResourceType("batch", "v1", "jobs", "job", "Job", True, [], ["all"]),
    ResourceType("batch", "v1", "cronjobs", "cronjob", "CronJob", True, ["cj"], ["all"]),
    ResourceType("apiextensions.k8s.io", "v1", "customresourcedefinitions", "customresourcedefinition",
                 "CustomResourceDefinition", False, ["crd", "crds"], ["api-extensions"]),
]
CRD_TYPE_ID = ("apiextensions.k8s.io", "customresourcedefinitions")


def crd_template(plural, singular, kind, short_name):
    """A prometheus-operator CRD as `kubectl get crd -o json` shows it (schema left open)."""
    group = "monitoring.coreos.com"
    names = {"categories": ["prometheus-operator"], "kind": kind, "listKind": kind + "List",
             "plural": plural, "shortNames": [short_name], "singular": singular}
    return {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": f"{plural}.{group}", "annotations": {"operator.prometheus.io/version": "0.75.0"}},
            "spec": {"group": group, "names": names, "scope": "Namespaced",
                     "versions": [{"name": "v1", "served": True, "storage": True,
                                   "schema": {"openAPIV3Schema": {"type": "object",
                                                                  "x-kubernetes-preserve-unknown-fields": True}}}]},
            "status": {"acceptedNames": names, "storedVersions": ["v1"],
                       "conditions": [{"type": "Established", "status": "True", "reason": "InitialNamesAccepted",
                                       "message": "the initial names have been accepted"}]}}


CRD_TEMPLATES = {
    "servicemonitors": crd_template("servicemonitors", "servicemonitor", "ServiceMonitor", "smon"),
    "podmonitors": crd_template("podmonitors", "podmonitor", "PodMonitor", "pmon"),
}


def type_from_crd(crd):
    """The resource a CustomResourceDefinition object defines (its first served version)."""
    spec = crd.get("spec", {})
    names = spec.get("names", {})
    versions = [v["name"] for v in spec.get("versions", []) if v.get("served", True)]
    if not (spec.get("group") and names.get("plural") and names.get("kind") and versions):
        raise ValueError("a CustomResourceDefinition needs spec.group, spec.names.{plural,kind} and a served version")
    return ResourceType(spec["group"], versions[0], names["plural"], names.get("singular", names["plural"]),
                        names["kind"], spec.get("scope", "Namespaced") == "Namespaced",
                        names.get("shortNames", []), names.get("categories", []))


# --------------------------------------------------------------------------------------------
# API errors (metav1.Status)
# --------------------------------------------------------------------------------------------

class ApiError(Exception):
    """An error answer; body() is the Status object the real server sends."""

    def __init__(self, code, reason, message, details=None, headers=None, list_continue=None):
        super().__init__(message)
        self.code, self.reason, self.message = code, reason, message
        self.details, self.headers, self.list_continue = details, headers or {}, list_continue

    def status(self):
        meta = {"continue": self.list_continue} if self.list_continue else {}
        body = {"kind": "Status", "apiVersion": "v1", "metadata": meta, "status": "Failure",
                "message": self.message, "reason": self.reason}
        if self.details is not None:
            body["details"] = self.details
        body["code"] = self.code
        return body


def bad_request(message):
    return ApiError(400, "BadRequest", message)


def not_found_path():
    return ApiError(404, "NotFound", "the server could not find the requested resource", {})


def not_found_object(rtype, name):
    details = {"name": name, "kind": rtype.plural}
    if rtype.group:
        details["group"] = rtype.group
    return ApiError(404, "NotFound", f'{rtype.qualified} "{name}" not found', details)


def expired_continue(token):
    return ApiError(410, "Expired",
                    "The provided continue parameter is too old to display a consistent list result. You can start "
                    "a new list without the continue parameter, or use the continue token in this response to "
                    "retrieve the remainder of the results. Continuing with the provided token results in an "
                    "inconsistent list - objects that were created, modified, or deleted between the time the first "
                    "chunk was returned and now may show up in the list.", list_continue=token)


def too_old(rv, floor):
    return ApiError(410, "Expired", f"too old resource version: {rv} ({floor})")


# --------------------------------------------------------------------------------------------
# Stored objects
# --------------------------------------------------------------------------------------------

def field_values(rtype, obj):
    """The selectable fields of an object, as strings (what fieldSelector compares)."""
    meta, values = obj.get("metadata", {}), {}
    for field in rtype.fields:
        value = obj
        for part in field.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if isinstance(value, bool):
            value = "true" if value else "false"
        values[field] = "" if value is None else str(value)
    values["metadata.name"] = meta.get("name", "")
    return values


class Stored:
    """One version of an object, serialised once: `item` is the JSON of a list item (no kind or
    apiVersion, as the real server lists them); `full()` adds them for GET and watch events."""

    __slots__ = ("rtype", "key", "namespace", "name", "rv", "labels", "fields", "item", "_full")

    def __init__(self, rtype, obj, rv):
        meta = obj["metadata"]
        self.rtype, self.rv = rtype, rv
        self.namespace, self.name = meta.get("namespace", ""), meta["name"]
        self.key = f"{self.namespace}/{self.name}" if rtype.namespaced else self.name
        self.labels = dict(meta.get("labels") or {})
        self.fields = field_values(rtype, obj)
        self.item = dumps({k: v for k, v in obj.items() if k not in ("kind", "apiVersion")})
        self._full = None

    def full(self):
        if self._full is None:
            head = dumps({"kind": self.rtype.kind, "apiVersion": self.rtype.api_version})
            self._full = head[:-1] + b"," + self.item[1:]
        return self._full

    def obj(self):
        """A parsed copy (for tables and updates; lists and watches use the bytes)."""
        value = json.loads(self.item)
        return {"kind": self.rtype.kind, "apiVersion": self.rtype.api_version, **value}

    def with_rv(self, rv):
        obj = self.obj()
        obj["metadata"]["resourceVersion"] = str(rv)
        return Stored(self.rtype, obj, rv)


class Event:
    __slots__ = ("rv", "type", "key", "obj", "prev")

    def __init__(self, rv, kind, key, obj, prev):
        self.rv, self.type, self.key, self.obj, self.prev = rv, kind, key, obj, prev


# --------------------------------------------------------------------------------------------
# Selectors
# --------------------------------------------------------------------------------------------

LABEL_KEY = r"[A-Za-z0-9]([A-Za-z0-9._/-]*[A-Za-z0-9])?"
LABEL_VALUE = r"([A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?)?"


def split_outside_parens(text):
    parts, depth, current = [], 0, ""
    for ch in text:
        depth += (ch == "(") - (ch == ")")
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return [p.strip() for p in parts if p.strip()]


def parse_label_selector(text):
    """A list of (key, op, values) requirements; 400 on syntax the real parser refuses."""
    requirements = []
    for part in split_outside_parens(text or ""):
        m = re.fullmatch(rf"!\s*({LABEL_KEY})", part)
        if m:
            requirements.append((m.group(1), "!", ()))
            continue
        m = re.fullmatch(rf"({LABEL_KEY})\s+(in|notin)\s+\(([^()]*)\)", part)
        if m:
            values = tuple(v.strip() for v in m.group(4).split(",") if v.strip())
            if not all(re.fullmatch(LABEL_VALUE, v) for v in values):
                raise bad_request(f"unable to parse requirement: invalid label value in {part!r}")
            requirements.append((m.group(1), m.group(3), values))
            continue
        m = re.fullmatch(rf"({LABEL_KEY})\s*(==|=|!=|>|<)\s*(\S*)", part)
        if m:
            value = m.group(4)
            if m.group(3) in "<>" and not re.fullmatch(r"-?\d+", value):
                raise bad_request(f"unable to parse requirement: for 'gt', 'lt' operators, the value must be an integer")
            if not re.fullmatch(LABEL_VALUE, value):
                raise bad_request(f"unable to parse requirement: invalid label value: {value!r}")
            requirements.append((m.group(1), {"==": "="}.get(m.group(3), m.group(3)), (value,)))
            continue
        if re.fullmatch(LABEL_KEY, part):
            requirements.append((part, "exists", ()))
            continue
        raise bad_request(f"unable to parse requirement: {part!r}")
    return requirements


def labels_match(requirements, labels):
    for key, op, values in requirements:
        present, value = key in labels, labels.get(key)
        if op == "exists" and not present or op == "!" and present:
            return False
        if op in ("=", "in") and value not in values:
            return False
        if op in ("!=", "notin") and present and value in values:
            return False
        if op in (">", "<"):
            if not present or not re.fullmatch(r"-?\d+", value):
                return False
            if (int(value) > int(values[0])) != (op == ">") or int(value) == int(values[0]):
                return False
    return True


def parse_field_selector(text, rtype):
    """A list of (field, op, value); unsupported fields get the real server's 400."""
    requirements = []
    for part in (text or "").split(","):
        part = part.strip()
        if not part:
            continue
        m = re.fullmatch(r"([^=!]+?)\s*(==|=|!=)\s*(.*)", part)
        if not m:
            raise bad_request(f"invalid selector: '{text}'; can't understand '{part}'")
        field, op, value = m.group(1).strip(), m.group(2), m.group(3).strip()
        if field not in rtype.fields:
            raise bad_request(f'field label not supported: {field}')
        requirements.append((field, "!=" if op == "!=" else "=", value))
    return requirements


def fields_match(requirements, fields):
    return all((fields.get(f, "") == v) == (op == "=") for f, op, v in requirements)


class Selection:
    """Namespace, labelSelector and fieldSelector of one request."""

    def __init__(self, rtype, namespace, params):
        self.namespace = namespace
        self.labels = parse_label_selector(params.get("labelSelector", ""))
        self.fields = parse_field_selector(params.get("fieldSelector", ""), rtype)

    @property
    def filtered(self):
        return bool(self.labels or self.fields)

    def matches(self, stored):
        if stored is None:
            return False
        if self.namespace and stored.namespace != self.namespace:
            return False
        return labels_match(self.labels, stored.labels) and fields_match(self.fields, stored.fields)


# --------------------------------------------------------------------------------------------
# The store
# --------------------------------------------------------------------------------------------

class ResourceState:
    """The current objects of one resource type, kept sorted by key (etcd's order), and the
    events since the compaction point, from which older states are rebuilt."""

    def __init__(self):
        self.keys = []            # sorted "namespace/name" (or "name")
        self.objs = {}            # key -> Stored
        self.history = []         # Events, by increasing rv
        self.history_rvs = []     # their rvs, for bisect
        self.trimmed_rv = 0       # history before this was dropped (--history-limit)
        self.snapshots = collections.OrderedDict()  # rv -> (keys, objs), rebuilt past states


def continue_token(rv, start_key):
    """The real server's format: base64 of {"v","rv","start"}; start is the key after the last one."""
    raw = json.dumps({"v": "meta.k8s.io/v1", "rv": rv, "start": start_key}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def parse_continue(token):
    try:
        padded = token + "=" * (-len(token) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
        if value.get("v") != "meta.k8s.io/v1" or not isinstance(value.get("rv"), int) \
                or not isinstance(value.get("start"), str):
            raise ValueError("not a meta.k8s.io/v1 token")
        return value["rv"], value["start"]
    except (ValueError, UnicodeDecodeError) as e:
        raise bad_request(f"continue key is not valid: {e}")


class Store:
    """Every object, the global resourceVersion, per-type histories and the open watches. One
    condition variable guards all of it; watchers wait on it for new events."""

    def __init__(self, history_limit):
        self.cond = threading.Condition()
        self.rv = 0
        self.compacted = 0
        self.history_limit = history_limit
        self.states = collections.defaultdict(ResourceState)
        self.watchers = set()
        self.types = {t.id: t for t in BUILTIN_TYPES}   # served types (CRD types added on install)
        self.known = dict(self.types)                  # plus templates: storable, maybe not served
        for template in CRD_TEMPLATES.values():
            rtype = type_from_crd(template)
            self.known.setdefault(rtype.id, rtype)

    # -- types --------------------------------------------------------------------------------

    def served(self, group, version, plural):
        rtype = self.types.get((group, plural))
        return rtype if rtype and rtype.version == version else None

    def type_for(self, api_version, kind):
        for rtype in list(self.types.values()) + list(self.known.values()):
            if rtype.api_version == api_version and rtype.kind == kind:
                return rtype
        return None

    def refresh_custom_types(self):
        """Served types = built-ins + what the stored CRD objects define (called under the lock).
        A type keeps its one ResourceType while its definition is unchanged; watches on a type
        that went away (or changed) end, as they do on a real server."""
        served = {t.id: t for t in BUILTIN_TYPES}
        for stored in self.states[CRD_TYPE_ID].objs.values():
            defined = type_from_crd(json.loads(stored.item))
            if defined.id in served:
                continue  # a CRD cannot shadow a built-in type
            known = self.known.get(defined.id)
            served[defined.id] = known if known and known.shape == defined.shape else defined
            self.known[defined.id] = served[defined.id]
        self.types = served
        live = set(map(id, served.values()))
        for watcher in self.watchers:
            if id(watcher.rtype) not in live:
                watcher.end_requested = True
        self.cond.notify_all()

    def floor(self, rtype):
        """The oldest resourceVersion still readable for this type."""
        return max(self.compacted, self.states[rtype.id].trimmed_rv)

    # -- writes -------------------------------------------------------------------------------

    def apply(self, objects):
        """Creates or updates each object (one resourceVersion each), all under one lock hold, so a
        watcher sees them together. Returns what was done."""
        results, crd_changed = [], False
        with self.cond:
            prepared = [self._prepare(obj) for obj in objects]  # all valid, or nothing is written
            for rtype, obj in prepared:
                results.append(self._write(rtype, obj))
                crd_changed |= rtype.id == CRD_TYPE_ID
            if crd_changed:
                self.refresh_custom_types()
            self.cond.notify_all()
            return {"resourceVersion": str(self.rv), "objects": results}

    def _prepare(self, obj):
        if not isinstance(obj, dict) or not isinstance(obj.get("metadata"), dict):
            raise ValueError("an object needs apiVersion, kind and metadata.name")
        rtype = self.type_for(obj.get("apiVersion"), obj.get("kind"))
        if rtype is None:
            raise ValueError(f"no resource type for apiVersion {obj.get('apiVersion')!r} kind {obj.get('kind')!r}")
        name = obj["metadata"].get("name")
        if not isinstance(name, str) or not name or "/" in name:
            raise ValueError(f"{rtype.kind}: metadata.name must be a non-empty string without '/'")
        if rtype.id == CRD_TYPE_ID:
            type_from_crd(obj)  # refuses a CRD that defines nothing usable
        return rtype, json.loads(json.dumps(obj))  # a private copy

    def _write(self, rtype, obj):
        state, meta = self.states[rtype.id], obj["metadata"]
        if rtype.namespaced:
            meta["namespace"] = meta.get("namespace") or "default"
        else:
            meta.pop("namespace", None)
        key = f"{meta['namespace']}/{meta['name']}" if rtype.namespaced else meta["name"]
        prev = state.objs.get(key)
        self.rv += 1
        if prev is None:
            meta.setdefault("uid", str(uuid.uuid4()))
            meta.setdefault("creationTimestamp", now_rfc3339())
            if rtype.group:  # core v1 objects (pods, services...) have no generation in 1.30
                meta.setdefault("generation", 1)
        else:  # uid and creation time belong to the object, not to the update
            old = prev.obj()
            meta["uid"] = old["metadata"].get("uid")
            meta["creationTimestamp"] = old["metadata"].get("creationTimestamp")
            if "generation" in old["metadata"]:  # bumped by spec changes only, as the real server does
                meta["generation"] = old["metadata"]["generation"] + (old.get("spec") != obj.get("spec"))
        if rtype.kind == "Namespace":  # the real server labels every namespace with its name
            meta.setdefault("labels", {})["kubernetes.io/metadata.name"] = meta["name"]
        meta["resourceVersion"] = str(self.rv)
        stored = Stored(rtype, obj, self.rv)
        if prev is None:
            bisect.insort(state.keys, key)
        state.objs[key] = stored
        self._record(rtype, Event(self.rv, "ADDED" if prev is None else "MODIFIED", key, stored, prev))
        return {"kind": rtype.kind, "namespace": stored.namespace or None, "name": stored.name,
                "resourceVersion": str(self.rv), "action": "created" if prev is None else "updated"}

    def delete(self, refs):
        with self.cond:
            found = []
            for api_version, kind, namespace, name in refs:
                rtype = self.type_for(api_version, kind)
                if rtype is None:
                    raise ValueError(f"no resource type for apiVersion {api_version!r} kind {kind!r}")
                state = self.states[rtype.id]
                key = f"{namespace or 'default'}/{name}" if rtype.namespaced else name
                prev = state.objs.get(key)
                if prev is None:
                    raise KeyError(f"{rtype.qualified} {key!r} not found")
                found.append((rtype, state, key, prev))
            results = []
            for rtype, state, key, prev in found:
                self.rv += 1
                del state.objs[key]
                del state.keys[bisect.bisect_left(state.keys, key)]
                # The DELETED event carries the last state at the deletion's revision, as etcd3 does.
                self._record(rtype, Event(self.rv, "DELETED", key, prev.with_rv(self.rv), prev))
                results.append({"kind": rtype.kind, "namespace": prev.namespace or None, "name": prev.name,
                                "resourceVersion": str(self.rv), "action": "deleted"})
            if any(r[0].id == CRD_TYPE_ID for r in found):
                self.refresh_custom_types()
            self.cond.notify_all()
            return {"resourceVersion": str(self.rv), "objects": results}

    def _record(self, rtype, event):
        state = self.states[rtype.id]
        state.history.append(event)
        state.history_rvs.append(event.rv)
        if len(state.history) > self.history_limit * 1.1:  # trim in batches, not per event
            drop = len(state.history) - self.history_limit
            state.trimmed_rv = state.history_rvs[drop - 1]
            del state.history[:drop], state.history_rvs[:drop]
        for watcher in self.watchers:
            if watcher.rtype.id == rtype.id:
                watcher.queue.append(event)

    def compact(self, rv=None):
        """Like etcd's compaction: every revision before `rv` (default: now) is gone."""
        with self.cond:
            rv = self.rv if rv is None else rv
            if not 0 <= rv <= self.rv:
                raise ValueError(f"resourceVersion {rv} is not between 0 and {self.rv}")
            self.compacted = max(self.compacted, rv)
            for state in self.states.values():
                keep = bisect.bisect_right(state.history_rvs, self.compacted)
                del state.history[:keep], state.history_rvs[:keep]
                for snap_rv in [r for r in state.snapshots if r < self.compacted]:
                    del state.snapshots[snap_rv]
            return self.compacted

    # -- reads (call with the lock held) -------------------------------------------------------

    def state_at(self, rtype, rv):
        """(keys, objs) as they were at `rv`, rebuilt by undoing later events; 410 when compacted."""
        if rv < self.floor(rtype):
            raise too_old(rv, self.floor(rtype))
        state = self.states[rtype.id]
        start = bisect.bisect_right(state.history_rvs, rv)
        if start == len(state.history):
            return state.keys, state.objs
        if rv in state.snapshots:
            state.snapshots.move_to_end(rv)
            return state.snapshots[rv]
        keys, objs = list(state.keys), dict(state.objs)
        for event in reversed(state.history[start:]):
            if event.type == "ADDED":
                del objs[event.key]
                del keys[bisect.bisect_left(keys, event.key)]
            else:
                if event.type == "DELETED":
                    bisect.insort(keys, event.key)
                objs[event.key] = event.prev
        state.snapshots[rv] = (keys, objs)
        while len(state.snapshots) > 8:
            state.snapshots.popitem(last=False)
        return keys, objs

    def wait_for_rv(self, rv):
        """A resourceVersion from the future: wait up to 3 s for it, then 504 like the real server."""
        deadline = time.monotonic() + 3
        while self.rv < rv:
            left = deadline - time.monotonic()
            if left <= 0:
                raise ApiError(504, "Timeout", f"Too large resource version: {rv}, current: {self.rv}",
                               {"causes": [{"reason": "ResourceVersionTooLarge",
                                            "message": "Too large resource version"}], "retryAfterSeconds": 1})
            self.cond.wait(left)


# --------------------------------------------------------------------------------------------
# LIST
# --------------------------------------------------------------------------------------------

def parse_rv(text, what="resourceVersion"):
    try:
        value = int(text)
        if value < 0:
            raise ValueError
        return value
    except ValueError:
        raise bad_request(f'Invalid value: "{text}": {what} must be a non-negative integer') from None


def parse_limit(params):
    text = params.get("limit", "")
    if not text:
        return 0
    try:
        return max(int(text), 0)
    except ValueError:
        raise bad_request(f'invalid limit "{text}"') from None


def list_page(store, rtype, selection, params):
    """The items of one LIST answer: (rv, [Stored], continue token or None, remainingItemCount or None).
    Runs under the store lock."""
    limit = parse_limit(params)
    token, rv_text = params.get("continue", ""), params.get("resourceVersion", "")
    match = params.get("resourceVersionMatch", "")
    if match not in ("", "Exact", "NotOlderThan"):
        raise bad_request(f'resourceVersionMatch: Unsupported value: "{match}"')
    if match and not rv_text:
        raise bad_request("resourceVersionMatch is forbidden unless resourceVersion is provided")
    if token and rv_text:
        raise bad_request("specifying resource version is not allowed when using continue")
    state = store.states[rtype.id]
    start_key = ""
    if token:
        snap_rv, start_key = parse_continue(token)
        if snap_rv == -1:  # the "inconsistent" token of a 410: go on at the latest state
            snap_rv, keys, objs = store.rv, state.keys, state.objs
        else:
            if snap_rv < store.floor(rtype):
                raise expired_continue(continue_token(-1, start_key))
            keys, objs = store.state_at(rtype, snap_rv)
    elif rv_text and rv_text != "0" and (match == "Exact" or (not match and limit)):
        snap_rv = parse_rv(rv_text)
        store.wait_for_rv(snap_rv)
        keys, objs = store.state_at(rtype, snap_rv)
    else:
        if match == "Exact":
            raise bad_request('resourceVersionMatch "Exact" is forbidden for resourceVersion "0"')
        if rv_text:
            store.wait_for_rv(parse_rv(rv_text))
        if rv_text == "0":
            limit = 0  # served from the watch cache, which ignores limit
        snap_rv, keys, objs = store.rv, state.keys, state.objs
    lo, hi = key_range(keys, selection.namespace)
    position = max(lo, bisect.bisect_left(keys, start_key)) if start_key else lo
    items = []
    while position < hi and (not limit or len(items) < limit):
        stored = objs[keys[position]]
        position += 1
        if selection.matches(stored):
            items.append(stored)
    if limit and position < hi:
        remaining = None if selection.filtered else hi - position
        return snap_rv, items, continue_token(snap_rv, keys[position - 1] + "\x00"), remaining
    return snap_rv, items, None, None


def key_range(keys, namespace):
    """The slice of sorted keys in one namespace ("ns/" up to "ns0": "0" follows "/"), or all."""
    if not namespace:
        return 0, len(keys)
    return bisect.bisect_left(keys, namespace + "/"), bisect.bisect_left(keys, namespace + "0")


def list_body(rtype, rv, items, token, remaining):
    meta = {"resourceVersion": str(rv)}
    if token:
        meta["continue"] = token
    if remaining is not None:
        meta["remainingItemCount"] = remaining
    head = dumps({"kind": rtype.kind + "List", "apiVersion": rtype.api_version, "metadata": meta})
    return b"".join([head[:-1], b',"items":[', b",".join(s.item for s in items), b"]}"])


# --------------------------------------------------------------------------------------------
# Tables (server-side printing)
# --------------------------------------------------------------------------------------------

def human_duration(seconds):
    """k8s.io/apimachinery/pkg/util/duration.HumanDuration."""
    if seconds < -1:
        return "<invalid>"
    seconds = max(int(seconds), 0)
    minutes, hours, days = seconds // 60, seconds // 3600, seconds // 86400
    if seconds < 120:
        return f"{seconds}s"
    if minutes < 10:
        return f"{minutes}m{seconds % 60}s" if seconds % 60 else f"{minutes}m"
    if minutes < 180:
        return f"{minutes}m"
    if hours < 8:
        return f"{hours}h{minutes % 60}m" if minutes % 60 else f"{hours}h"
    if hours < 48:
        return f"{hours}h"
    if hours < 192:
        return f"{days}d{hours % 24}h" if hours % 24 else f"{days}d"
    if hours < 24 * 365 * 2:
        return f"{days}d"
    if hours < 24 * 365 * 8:
        return f"{days // 365}y{days % 365}d" if days % 365 else f"{days // 365}y"
    return f"{days // 365}y"


def age(obj):
    stamp = obj.get("metadata", {}).get("creationTimestamp")
    if not stamp:
        return "<unknown>"
    try:
        created = datetime.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    except ValueError:
        return "<unknown>"
    return human_duration((datetime.datetime.now(datetime.timezone.utc) - created).total_seconds())


def pod_row(pod):
    spec, status = pod.get("spec", {}), pod.get("status", {})
    containers = status.get("containerStatuses") or []
    ready = sum(1 for c in containers if c.get("ready"))
    reason = status.get("reason") or status.get("phase") or "Unknown"
    for c in containers:
        waiting = (c.get("state") or {}).get("waiting") or (c.get("state") or {}).get("terminated")
        if waiting and waiting.get("reason"):
            reason = waiting["reason"]
    if pod.get("metadata", {}).get("deletionTimestamp"):
        reason = "Terminating"
    restarts = sum(int(c.get("restartCount", 0)) for c in containers)
    return [f"{ready}/{len(spec.get('containers') or [])}", reason, str(restarts), age(pod),
            status.get("podIP") or "<none>", spec.get("nodeName") or "<none>"]


def service_row(svc):
    spec = svc.get("spec", {})
    ports = ",".join(f"{p.get('port')}/{p.get('protocol', 'TCP')}" for p in spec.get("ports") or []) or "<none>"
    external = ",".join(spec.get("externalIPs") or []) or "<none>"
    return [spec.get("type", "ClusterIP"), spec.get("clusterIP") or "<none>", external, ports, age(svc)]


def node_row(node):
    conditions = {c.get("type"): c.get("status") for c in node.get("status", {}).get("conditions") or []}
    state = "Ready" if conditions.get("Ready") == "True" else "NotReady"
    roles = sorted(k.split("/", 1)[1] for k in node.get("metadata", {}).get("labels", {})
                   if k.startswith("node-role.kubernetes.io/"))
    version = node.get("status", {}).get("nodeInfo", {}).get("kubeletVersion", "")
    return [state, ",".join(roles) or "<none>", age(node), version]


def selector_text(selector):
    labels = selector.get("matchLabels") or {}
    parts = [f"{k}={v}" for k, v in sorted(labels.items())]
    parts += [f"{e.get('key')} {e.get('operator', '').lower()} ({','.join(e.get('values') or [])})"
              for e in selector.get("matchExpressions") or []]
    return ",".join(parts) or "<none>"


def column(name, priority=0, kind="string", fmt=""):
    return {"name": name, "type": kind, "format": fmt, "description": f"{name} (netprobe stand-in)",
            "priority": priority}


NAME_COLUMN = column("Name", fmt="name")
TABLES = {  # plural -> (columns after Name, cells after the name)
    "pods": ([column("Ready"), column("Status"), column("Restarts"), column("Age"), column("IP", 1),
              column("Node", 1)], pod_row),
    "services": ([column("Type"), column("Cluster-IP"), column("External-IP"), column("Port(s)"),
                  column("Age")], service_row),
    "nodes": ([column("Status"), column("Roles"), column("Age"), column("Version")], node_row),
    "namespaces": ([column("Status"), column("Age")],
                   lambda ns: [ns.get("status", {}).get("phase", "Active"), age(ns)]),
    "networkpolicies": ([column("Pod-Selector"), column("Age")],
                        lambda np: [selector_text(np.get("spec", {}).get("podSelector") or {}), age(np)]),
}
DEFAULT_TABLE = ([column("Age")], lambda obj: [age(obj)])


def table_body(rtype, stored_items, list_meta, include_object, table_version, with_columns=True):
    columns, cells = TABLES.get(rtype.plural, DEFAULT_TABLE)
    rows = []
    for stored in stored_items:
        obj = stored.obj()
        row = {"cells": [stored.name] + cells(obj)}
        if include_object == "Object":
            row["object"] = obj
        elif include_object != "None":
            row["object"] = {"kind": "PartialObjectMetadata", "apiVersion": f"meta.k8s.io/{table_version}",
                             "metadata": obj["metadata"]}
        rows.append(row)
    table = {"kind": "Table", "apiVersion": f"meta.k8s.io/{table_version}", "metadata": list_meta}
    if with_columns:
        table["columnDefinitions"] = [NAME_COLUMN] + columns
    table["rows"] = rows
    return dumps(table)


def negotiate(accept):
    """'json' or ('table', version) for an Accept header; 406 when neither is acceptable."""
    for media in (accept or "*/*").split(","):
        kind, *params = [p.strip() for p in media.split(";")]
        options = dict(p.split("=", 1) for p in params if "=" in p)
        if kind not in (JSON, "application/*", "*/*"):
            continue
        wanted = options.get("as")
        if wanted == "Table" and options.get("g") == "meta.k8s.io" and options.get("v") in ("v1", "v1beta1"):
            return ("table", options["v"])
        if wanted is None:
            return "json"
    raise ApiError(406, "NotAcceptable", "only the following media types are accepted: application/json", {})


# --------------------------------------------------------------------------------------------
# WATCH
# --------------------------------------------------------------------------------------------

class Watcher:
    """An open watch: the store appends its type's events to `queue`; the handler thread writes them."""

    ids = itertools.count(1)

    def __init__(self, rtype, selection, sock, client):
        self.id = next(self.ids)
        self.rtype, self.selection, self.sock, self.client = rtype, selection, sock, client
        self.queue = collections.deque()
        self.drop_requested = False   # close the connection without the final chunk
        self.end_requested = False    # end the stream cleanly
        self.started = time.time()
        self.sent = 0

    def describe(self):
        return {"id": self.id, "resource": self.rtype.qualified, "namespace": self.selection.namespace or None,
                "client": self.client, "started": self.started, "events_sent": self.sent}


def event_line(kind, obj_bytes):
    return b'{"type":"' + kind.encode() + b'","object":' + obj_bytes + b"}\n"


def bookmark_line(rtype, rv, initial_events_end=False):
    meta = {"resourceVersion": str(rv), "creationTimestamp": None}
    if initial_events_end:
        meta["annotations"] = {"k8s.io/initial-events-end": "true"}
    return event_line("BOOKMARK", dumps({"kind": rtype.kind, "apiVersion": rtype.api_version, "metadata": meta}))


def selected_event(event, selection):
    """What a watcher with this selection sees of an event: (type, Stored) or None. An object that
    stops matching is DELETED for it, one that starts matching ADDED, as the watch cache does."""
    now_in = event.type != "DELETED" and selection.matches(event.obj)
    was_in = event.prev is not None and selection.matches(event.prev)
    if event.type == "DELETED":
        return ("DELETED", event.obj) if selection.matches(event.prev) else None
    if now_in and was_in:
        return ("MODIFIED", event.obj)
    if now_in:
        return ("ADDED", event.obj)
    if was_in:
        return ("DELETED", event.obj)
    return None


class ChunkWriter:
    """Writes watch events as HTTP chunks. Events ready together share chunks, and every
    `split_every`'th event of the stream is cut in its middle across two chunks."""

    def __init__(self, wfile, split_every):
        self.wfile, self.split_every, self.count = wfile, split_every, 0

    def write_events(self, lines):
        chunks, current = [], bytearray()
        for line in lines:
            self.count += 1
            if self.split_every and self.count % self.split_every == 0:
                middle = len(line) // 2
                current += line[:middle]
                chunks.append(bytes(current))
                current = bytearray(line[middle:])
            else:
                current += line
            if len(current) >= WATCH_CHUNK_BYTES:
                chunks.append(bytes(current))
                current = bytearray()
        if current:
            chunks.append(bytes(current))
        for chunk in chunks:  # separate writes, so the halves of a split event leave separately
            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            self.wfile.flush()

    def end(self):
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()


def client_gone(sock):
    """A watch client sends nothing once the stream runs: readable means closed (EOF or a TLS alert)."""
    try:
        poller = select.poll()  # not select(): a scale test may hold more than 1024 descriptors
        poller.register(sock.fileno(), select.POLLIN | select.POLLHUP | select.POLLERR)
        return bool(poller.poll(0))
    except (OSError, ValueError):
        return True


def raw_shutdown(sock):
    """Cuts the TCP connection under a TLS socket (SSLSocket.shutdown would drop its state)."""
    try:
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass


# --------------------------------------------------------------------------------------------
# The Kubernetes API (HTTPS)
# --------------------------------------------------------------------------------------------

class RequestLog:
    def __init__(self, limit=200000):
        self.lock, self.entries, self.seq, self.limit = threading.Lock(), [], 0, limit

    def add(self, entry):
        with self.lock:
            self.seq += 1
            entry["seq"] = self.seq
            self.entries.append(entry)
            if len(self.entries) > self.limit:
                del self.entries[: len(self.entries) - self.limit]

    def since(self, seq):
        with self.lock:
            return [e for e in self.entries if e["seq"] > seq]

    def clear(self):
        with self.lock:
            self.entries.clear()


class Throttle:
    """Injected 429s: the next `count` requests for a resource (or "*") get Too Many Requests."""

    def __init__(self):
        self.lock, self.rules = threading.Lock(), []

    def add(self, resource, count, retry_after):
        with self.lock:
            self.rules.append({"resource": resource, "count": count, "retry_after": retry_after})

    def take(self, resource):
        """The Retry-After seconds when this request is to get a 429, else None."""
        with self.lock:
            for rule in self.rules:
                if rule["resource"] in ("*", resource):
                    rule["count"] -= 1
                    if rule["count"] == 0:
                        self.rules.remove(rule)
                    return rule["retry_after"]
        return None


# --------------------------------------------------------------------------------------------
# Hostile modes: a broken or malicious API server, on demand (POST /hostile)
# --------------------------------------------------------------------------------------------

HOSTILE_SECONDS_MAX = 55  # no hostile answer (nor the watch it turns into) holds its thread longer
HOSTILE_MODES = {  # mode -> the requests it can answer, and its defaults
    # A watch sends one event line of `bytes` (> the client's per-event limit), then a BOOKMARK in
    # the same chunk, then goes on as a normal watch (so later events must still be applied).
    "huge_event": {"on": ("watch",), "bytes": 5 << 20},
    # An event (or a list holding an object) nested `depth` levels; a watch goes on normally after it.
    "deep_json": {"on": ("list", "watch"), "depth": 100000},
    # A 200 list whose body is `bytes` long, streamed (chunked, or with "content_length": true).
    "huge_list": {"on": ("list",), "bytes": 80 << 20},
    # A 200 watch that sends `lines` lines of random non-JSON bytes, then goes on normally.
    "garbage": {"on": ("watch",), "lines": 200},
    # A 200 whose body comes one byte a second, never a newline, for `seconds`; then the
    # connection is cut.
    "trickle": {"on": ("list", "watch"), "seconds": 15},
    # The request is read and never answered for `seconds`; then the connection is cut.
    "stall_headers": {"on": ("list", "watch"), "seconds": 15},
    # A 200, chunked, whose chunked encoding breaks after the first chunk: "variant" bad_size
    # (a chunk size that is not hex) or overrun (a chunk longer than its size).
    "bad_chunking": {"on": ("list", "watch"), "variant": "bad_size"},
    # Valid JSON, wrong types: a watch sends events whose metadata.name is a number, whose
    # resourceVersion is a number, whose labels hold objects, whose type is a number, whose
    # object is an array, and last an ERROR whose Status has its code as a string. A list answers
    # in turn (the nth request of the rule): items an object; resourceVersion a number; the real
    # items mixed with wrong-typed ones.
    "wrong_types": {"on": ("list", "watch")},
    # A 200, chunked, whose first chunk header never ends: "1;" and then `bytes` of chunk
    # extension without a CRLF ("variant" trailer: the last chunk, then endless trailer bytes).
    "chunk_ext_flood": {"on": ("list", "watch"), "bytes": 128 << 20, "variant": "extension"},
    # The history is gone: a list gets HTTP 410 Expired, a watch a 200 with one ERROR event
    # carrying that Status (as the real server does); "http": true makes a watch's a 410 too.
    "expired": {"on": ("list", "watch")},
}
HOSTILE_LIMITS = {"count": 100000, "bytes": 1 << 30, "depth": 10_000_000, "lines": 1_000_000}


class Hostile:
    """Hostile answers: each rule takes the next `count` list and/or watch requests for a resource
    (its plural, or "*"); `served` records every answer given, for the test to wait on."""

    def __init__(self):
        self.lock, self.rules, self.served, self.ids = threading.Lock(), [], [], itertools.count(1)

    @staticmethod
    def rule_from(body):
        mode = body.get("mode")
        if mode not in HOSTILE_MODES:
            raise ValueError(f"mode is one of {', '.join(sorted(HOSTILE_MODES))}")
        defaults = HOSTILE_MODES[mode]
        resource = body.get("resource", "*")
        if not isinstance(resource, str) or not resource:
            raise ValueError("resource: a plural name (networkpolicies, pods…) or *")
        on = body.get("on", list(defaults["on"]))
        on = [on] if isinstance(on, str) else on
        if not isinstance(on, list) or not on or any(kind not in defaults["on"] for kind in on):
            raise ValueError(f"{mode} answers {' and '.join(defaults['on'])} requests (on)")
        rule = {"mode": mode, "resource": resource, "on": sorted(set(on)), "count": int(body.get("count", 1)),
                "seconds": float(body.get("seconds", defaults.get("seconds", HOSTILE_SECONDS_MAX)))}
        for key in ("bytes", "depth", "lines"):
            if key in defaults or key in body:
                rule[key] = int(body.get(key, defaults.get(key, 0)))
        for key, value in body.items():
            if key not in rule and key not in ("id",):
                rule[key] = value  # variant, content_length, http…
        if not 1 <= rule["count"] <= HOSTILE_LIMITS["count"]:
            raise ValueError(f"count: 1 to {HOSTILE_LIMITS['count']}")
        if not 0 < rule["seconds"] <= HOSTILE_SECONDS_MAX:
            raise ValueError(f"seconds: more than 0, at most {HOSTILE_SECONDS_MAX}")
        for key in ("bytes", "depth", "lines"):
            if key in rule and not 1 <= rule[key] <= HOSTILE_LIMITS[key]:
                raise ValueError(f"{key}: 1 to {HOSTILE_LIMITS[key]}")
        return rule

    def add(self, body):
        rule = self.rule_from(body)
        with self.lock:
            rule["id"], rule["used"] = next(self.ids), 0
            self.rules.append(rule)
            return dict(rule)

    def take(self, resource, kind):
        """The record of a hostile answer for this request, or None (then it is served as usual)."""
        with self.lock:
            for rule in self.rules:
                if rule["resource"] in ("*", resource) and kind in rule["on"]:
                    rule["used"] += 1
                    if rule["used"] >= rule["count"]:
                        self.rules.remove(rule)
                    record = {"rule": rule["id"], "mode": rule["mode"], "resource": resource, "kind": kind,
                              "nth": rule["used"], "started": time.time(), "ended": None, "bytes": 0,
                              "sent": False, "done": False, "error": None}
                    self.served.append(record)
                    del self.served[:-1000]
                    return record, dict(rule)
        return None

    def state(self):
        with self.lock:
            return {"rules": [dict(r) for r in self.rules], "served": [dict(r) for r in self.served]}

    def clear(self):
        with self.lock:
            dropped = len(self.rules)
            self.rules.clear()
            return dropped


def hostile_object(rtype, name, rv, **meta):
    """An object of the resource's kind, in a namespace nothing else uses, harmless if applied."""
    metadata = {"name": name, "resourceVersion": str(rv), **meta}
    if rtype.namespaced:
        metadata.setdefault("namespace", "netprobe-hostile")
    obj = {"kind": rtype.kind, "apiVersion": rtype.api_version, "metadata": metadata}
    if rtype.plural == "networkpolicies":
        obj["spec"] = {"podSelector": {"matchLabels": {"netprobe.test/hostile": "yes"}}, "policyTypes": ["Ingress"]}
    return obj


def padded(data, marker, size, piece=256 << 10):
    """The bytes of `data` with the JSON string `marker` replaced by a string of `size` x's, in pieces."""
    head, tail = data.split(dumps(marker), 1)
    yield head + b'"'
    while size > 0:
        n = min(piece, size)
        yield b"x" * n
        size -= n
    yield b'"' + tail


def nested(depth, piece=64 << 10):
    """`depth` nested JSON arrays, in pieces."""
    for text in (b"[", b"]"):
        left = depth
        while left > 0:
            n = min(piece, left)
            yield text * n
            left -= n


def garbage_lines(count, seed):
    """`count` newline-ended lines none of which is JSON a watch client could apply (no CR either,
    so that none is empty once a client strips one)."""
    rng = random.Random(seed)
    near_misses = [b'{"type":"ADDED","object":', b'{"type":"ADDED","object":{"metadata":{"name":"x"}}', b"null",
                   b"[]", b'"ADDED"', b"{}", b'\xff\xfe{"type":"ADDED"}', b'{"type":"ADDED","object":{}}} trailing',
                   b"<html><body>502 Bad Gateway</body></html>", b"\x00\x00\x00\x00", b"{" * 40, b"}" * 40,
                   b'{"type":"MODIFIED","object":{"metadata":{"name":"a","resourceVersion":"1"}}',
                   b"\xc3\x28 invalid utf-8", b"data: {}", b"0x1F"]
    allowed = bytes(b for b in range(1, 256) if b not in (0x0A, 0x0D))
    for i in range(count):
        if i < len(near_misses):
            line = near_misses[i]
        else:
            line = b"#" + bytes(rng.choice(allowed) for _ in range(rng.randint(1, 300)))
        yield line + b"\n"


def wrong_type_events(rtype, rv):
    """Watch lines: valid JSON with wrong types, each one to be skipped, and last an ERROR whose code
    is a string (the client is to treat it as an error it cannot read, not as a 410)."""
    events = []
    name_number = hostile_object(rtype, "x", rv)
    name_number["metadata"]["name"] = 12345
    events.append({"type": "ADDED", "object": name_number})
    rv_number = hostile_object(rtype, "netprobe-hostile-rv", rv)
    rv_number["metadata"]["resourceVersion"] = int(rv) + 1
    events.append({"type": "ADDED", "object": rv_number})
    events.append({"type": "ADDED", "object": hostile_object(rtype, "netprobe-hostile-labels", rv,
                                                              labels={"app": {"nested": True}, "tier": ["a"]})})
    events.append({"type": 7, "object": hostile_object(rtype, "netprobe-hostile-type", rv)})
    events.append({"type": "MODIFIED", "object": [hostile_object(rtype, "netprobe-hostile-array", rv)]})
    events.append({"type": "ADDED", "object": {"kind": rtype.kind, "metadata": ["netprobe-hostile-meta"]}})
    events.append({"type": "ERROR", "object": {"kind": "Status", "apiVersion": "v1", "status": "Failure",
                                               "code": "410", "reason": "Expired",
                                               "message": "a Status whose code is a string"}})
    return [dumps(e) + b"\n" for e in events]


def wrong_type_items(rtype, rv):
    """List items of the wrong shape or with wrong-typed fields."""
    name_number = hostile_object(rtype, "x", rv)
    name_number["metadata"]["name"] = 12345
    labels = hostile_object(rtype, "netprobe-hostile-labels", rv, labels={"app": {"nested": True}})
    no_meta = hostile_object(rtype, "y", rv)
    no_meta["metadata"] = "not an object"
    items = [name_number, labels, "just a string", None, no_meta, 42]
    if rtype.plural == "networkpolicies":
        spec = hostile_object(rtype, "netprobe-hostile-spec", rv)
        spec["spec"] = "allow-all"
        items.append(spec)
    return [dumps({k: v for k, v in item.items() if k not in ("kind", "apiVersion")})
            if isinstance(item, dict) else dumps(item) for item in items]


class RequestInfo:
    """What a request path names, resolved like the real RequestInfoResolver (before authorization)."""

    def __init__(self, path):
        self.path = path
        self.group = self.version = self.plural = self.namespace = self.name = None
        self.discovery, self.extra = False, []  # extra: path segments past a name (subresources)
        parts = [p for p in path.split("/") if p]
        if parts[:1] == ["api"]:
            prefix, rest = ("", parts[1] if len(parts) > 1 else None), parts[2:]
        elif parts[:1] == ["apis"] and len(parts) >= 3:
            prefix, rest = (parts[1], parts[2]), parts[3:]
        else:
            self.discovery = parts[:1] in (["api"], ["apis"])
            return
        self.group, self.version = prefix
        if not rest:
            self.discovery = True
        elif rest[0] == "namespaces" and len(rest) >= 3:
            self.namespace, self.plural, self.name = rest[1], rest[2], rest[3] if len(rest) > 3 else None
            self.extra = rest[4:]
        else:
            self.plural, self.name = rest[0], rest[1] if len(rest) > 1 else None
            self.extra = rest[2:]

    @property
    def resource(self):
        return self.plural or ("discovery" if self.discovery else None)


class ApiHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 60  # idle keep-alive connections and stalled writes

    def version_string(self):
        return "netprobe-kube-apiserver-standin"

    def setup(self):
        # The TLS handshake happens here, in the connection's own thread, not in accept().
        # No Nagle: headers and body leave in separate writes, and a delayed ACK would hold the
        # second one back 40 ms.
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.request.settimeout(10)
        self.request = self.server.ssl_context.wrap_socket(self.request, server_side=True)
        super().setup()

    # -- plumbing -----------------------------------------------------------------------------

    def log_message(self, fmt, *args):
        pass  # one line per request is written by log_request

    def log_request(self, code="-", size="-"):
        token = getattr(self, "token", None)
        entry = {"time": time.time(), "method": self.command, "path": self.path, "token": token,
                 "status": int(code), "accept": self.headers.get("Accept"),
                 "user_agent": self.headers.get("User-Agent")}
        if getattr(self, "hostile_mode", None):
            entry["hostile"] = self.hostile_mode
        self.server.requests.add(entry)
        shown = (token[:6] + "…") if token else "-"
        log("api", self.client_address[0], self.command, self.path, code, "token=" + shown)

    def send_body(self, code, body, content_type=JSON, headers=None):
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Cache-Control", "no-cache, private")
        self.send_header("Audit-Id", str(uuid.uuid4()))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def send_error_status(self, error):
        self.send_body(error.code, dumps(error.status()), headers=error.headers)

    def authenticate(self, info, params):
        """401 for a wrong token (and a missing one, unless anonymous requests are allowed)."""
        header = self.headers.get("Authorization", "")
        self.token = header[7:].strip() if header.startswith("Bearer ") else None
        try:
            with open(self.server.token_file, encoding="utf-8") as f:
                valid = [line.strip() for line in f if line.strip()]
        except OSError as e:
            log("api cannot read the token file:", e)
            valid = []
        if self.token is not None:
            if any(hmac.compare_digest(self.token.encode(), v.encode()) for v in valid):
                return
            raise ApiError(401, "Unauthorized", "Unauthorized")
        if not self.server.anonymous:
            raise ApiError(401, "Unauthorized", "Unauthorized")
        if info.path in PUBLIC_PATHS:
            return
        user = 'User "system:anonymous"'
        if not info.plural:
            raise ApiError(403, "Forbidden", f'forbidden: {user} cannot get path "{info.path}"', {})
        verb = "get" if info.name else "watch" if params.get("watch") in ("1", "true", "True") else "list"
        scope = f'in the namespace "{info.namespace}"' if info.namespace else "at the cluster scope"
        details = {"kind": info.plural, **({"group": info.group} if info.group else {})}
        raise ApiError(403, "Forbidden", f'{info.plural} is forbidden: {user} cannot {verb} resource "{info.plural}" '
                                         f'in API group "{info.group}" {scope}', details)

    # -- dispatch -----------------------------------------------------------------------------

    def do_GET(self):
        try:
            self.handle_get()
        except ApiError as e:
            self.send_error_status(e)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, socket.timeout):
            self.close_connection = True

    def refuse_method(self):
        self.token = None
        self.close_connection = True  # the body is not read
        try:
            url = urllib.parse.urlsplit(self.path)
            self.authenticate(RequestInfo(url.path), {})
            raise ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource",
                           {})
        except ApiError as e:
            self.send_error_status(e)

    do_POST = do_PUT = do_PATCH = do_DELETE = refuse_method

    def handle_get(self):
        self.token = self.hostile_mode = None
        url = urllib.parse.urlsplit(self.path)
        params = {k: v[-1] for k, v in urllib.parse.parse_qs(url.query, keep_blank_values=True).items()}
        info = RequestInfo(url.path)
        self.authenticate(info, params)
        retry_after = self.server.throttle.take(info.resource or url.path)
        if retry_after is not None:
            raise ApiError(429, "TooManyRequests", "Too many requests, please try again later.",
                           {"retryAfterSeconds": retry_after}, {"Retry-After": str(retry_after)})
        if url.path in ("/healthz", "/livez", "/readyz"):
            return self.send_body(200, b"ok", "text/plain; charset=utf-8")
        if url.path == "/version":
            return self.send_body(200, json.dumps(SERVER_VERSION, indent=2).encode())
        if info.discovery:
            return self.send_body(200, dumps(self.discovery_document(info)))
        if info.plural is None or info.extra:
            raise not_found_path()
        self.serve_resource(info, params)

    # -- discovery ----------------------------------------------------------------------------

    def discovery_document(self, info):
        store = self.server.store
        with store.cond:
            types = list(store.types.values())
        if info.path.rstrip("/") == "/api":
            return {"kind": "APIVersions", "versions": ["v1"],
                    "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0",  # not-a-destination
                                                    "serverAddress": self.server.address_text}]}
        if info.group is None:  # /apis
            return {"kind": "APIGroupList", "apiVersion": "v1", "groups": [
                self.group_document(name, versions) for name, versions in groups_of(types).items() if name]}
        if info.version is None:
            raise not_found_path()
        if info.group == "" and info.version != "v1":
            raise not_found_path()
        served = [t for t in types if t.group == info.group and t.version == info.version]
        if not served and info.group:
            raise not_found_path()
        return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": served[0].api_version if served
                else "v1", "resources": [t.discovery() for t in sorted(served, key=lambda t: t.plural)]}

    @staticmethod
    def group_document(name, versions):
        entries = [{"groupVersion": f"{name}/{v}", "version": v} for v in versions]
        return {"name": name, "versions": entries, "preferredVersion": entries[0]}

    # -- resources ----------------------------------------------------------------------------

    def serve_resource(self, info, params):
        store = self.server.store
        with store.cond:
            rtype = store.served(info.group, info.version, info.plural)
        if rtype is None:
            raise not_found_path()
        namespace = info.namespace
        if namespace is not None and not rtype.namespaced:
            raise not_found_path()
        if info.name is not None and rtype.namespaced and namespace is None:
            raise not_found_path()
        form = negotiate(self.headers.get("Accept"))
        if info.name is not None:
            return self.serve_get(rtype, namespace, info.name, params, form)
        watch = params.get("watch") in ("1", "true", "True")
        hostile = self.server.hostile.take(rtype.plural, "watch" if watch else "list")
        if hostile is not None:
            return self.serve_hostile(*hostile, rtype, namespace, params, form)
        if watch:
            return self.serve_watch(rtype, namespace, params, form)
        self.serve_list(rtype, namespace, params, form)

    def serve_get(self, rtype, namespace, name, params, form):
        store = self.server.store
        key = f"{namespace}/{name}" if rtype.namespaced else name
        with store.cond:
            if params.get("resourceVersion", "") not in ("", "0"):
                store.wait_for_rv(parse_rv(params["resourceVersion"]))
            stored = store.states[rtype.id].objs.get(key)
        if stored is None:
            raise not_found_object(rtype, name)
        if form == "json":
            return self.send_body(200, stored.full())
        meta = {"resourceVersion": str(stored.rv)}
        self.send_body(200, table_body(rtype, [stored], meta, params.get("includeObject"), form[1]))

    def serve_list(self, rtype, namespace, params, form):
        store = self.server.store
        selection = Selection(rtype, namespace, params)
        with store.cond:
            rv, items, token, remaining = list_page(store, rtype, selection, params)
        if form == "json":
            return self.send_body(200, list_body(rtype, rv, items, token, remaining))
        meta = {"resourceVersion": str(rv)}
        if token:
            meta["continue"] = token
        if remaining is not None:
            meta["remainingItemCount"] = remaining
        self.send_body(200, table_body(rtype, items, meta, params.get("includeObject"), form[1]))

    def serve_watch(self, rtype, namespace, params, form, hostile=None):
        """A watch. `hostile` (record, pieces, deadline): those bytes, as chunks of their own, come
        first, and the watch ends by the deadline whatever its timeoutSeconds."""
        store, server = self.server.store, self.server
        selection = Selection(rtype, namespace, params)
        bookmarks = params.get("allowWatchBookmarks") in ("1", "true", "True")
        rv_text = params.get("resourceVersion", "")
        initial = params.get("sendInitialEvents") in ("1", "true", "True")
        if initial and (params.get("resourceVersionMatch") != "NotOlderThan" or not bookmarks):
            raise ApiError(422, "Invalid", "sendInitialEvents requires resourceVersionMatch=NotOlderThan "
                                           "and allowWatchBookmarks=true", {})
        timeout = self.watch_timeout(params)
        watcher = Watcher(rtype, selection, self.connection, self.client_address[0])
        with store.cond:
            first_lines, expired = self.watch_start(store, rtype, selection, rv_text, initial, watcher, form)
        self.send_response(200)
        self.send_header("Content-Type", JSON)
        self.send_header("Cache-Control", "no-cache, private")
        self.send_header("Audit-Id", str(uuid.uuid4()))
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        writer = ChunkWriter(self.wfile, server.split_every)
        deadline = time.monotonic() + timeout
        try:
            if hostile is not None:
                record, pieces, hostile_deadline = hostile
                for piece in pieces:
                    self.write_chunk(piece, record)
                record["sent"] = True
                deadline = min(deadline, hostile_deadline)
            writer.write_events(first_lines)
            watcher.sent += len(first_lines)
            if expired:
                return writer.end()
            self.follow(store, watcher, writer, form, bookmarks, deadline)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, socket.timeout, OSError) as e:
            self.close_connection = True
            if hostile is not None:
                hostile[0]["error"] = type(e).__name__
        finally:
            with store.cond:
                store.watchers.discard(watcher)

    # -- hostile answers (POST /hostile) --------------------------------------------------------

    def write_chunk(self, data, record=None):
        """One HTTP chunk (data must not be empty: that would end the body)."""
        self.wfile.write(b"%x\r\n" % len(data))
        self.wfile.write(data)
        self.wfile.write(b"\r\n")
        self.wfile.flush()
        if record is not None:
            record["bytes"] += len(data)

    def start_stream(self, content_length=None):
        """200 headers of a JSON body: chunked, or of the given length."""
        self.send_response(200)
        self.send_header("Content-Type", JSON)
        self.send_header("Cache-Control", "no-cache, private")
        self.send_header("Audit-Id", str(uuid.uuid4()))
        if content_length is None:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(content_length))
        self.end_headers()

    def cut(self):
        """Ends the connection without another byte (no final chunk)."""
        self.close_connection = True
        try:
            self.wfile.flush()
        except OSError:
            pass
        raw_shutdown(self.connection)

    def hold(self, deadline):
        """Sends nothing until the deadline or until the client goes away; True if it went."""
        while time.monotonic() < deadline:
            if client_gone(self.connection):
                return True
            time.sleep(min(0.2, max(deadline - time.monotonic(), 0)))
        return False

    def serve_hostile(self, record, rule, rtype, namespace, params, form):
        """Answers the request as the rule's mode says; never longer than rule["seconds"] (<= 55 s)."""
        mode, kind = rule["mode"], record["kind"]
        self.hostile_mode = mode
        deadline = time.monotonic() + min(rule["seconds"], HOSTILE_SECONDS_MAX)
        self.connection.settimeout(5)  # a write the client stops reading ends the answer, not the deadline
        rv_text = params.get("resourceVersion", "")
        with self.server.store.cond:
            rv = int(rv_text) if rv_text.isdigit() and rv_text != "0" else self.server.store.rv
        log("api hostile", mode, "answers", kind, "of", rtype.qualified, f"(rule {rule['id']}, #{record['nth']})")
        try:
            if kind == "watch" and mode in ("huge_event", "deep_json", "garbage", "wrong_types"):
                return self.serve_watch(rtype, namespace, params, form,
                                        (record, self.hostile_watch_prefix(mode, rule, rtype, rv), deadline))
            getattr(self, "hostile_" + mode)(record, rule, rtype, kind, rv, deadline)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, socket.timeout, OSError) as e:
            record["error"] = type(e).__name__
            self.close_connection = True
        finally:
            record["done"], record["ended"] = True, time.time()
            log("api hostile", mode, "done:", record["bytes"], "bytes", "sent" if record["sent"] else "not all sent",
                record["error"] or "")

    def hostile_watch_prefix(self, mode, rule, rtype, rv):
        """What a hostile watch sends before it goes on as a normal one, as pieces (each one chunk)."""
        if mode == "huge_event":
            event = dumps({"type": "ADDED", "object": hostile_object(rtype, "netprobe-hostile-huge", rv,
                                                                     annotations={"padding": "@PAD@"})})
            pieces = list(padded(event, "@PAD@", rule["bytes"]))
            # The next event shares the huge line's last chunk: a client must find it there.
            pieces[-1] += b"\n" + bookmark_line(rtype, rv)
            return pieces
        if mode == "deep_json":
            obj = hostile_object(rtype, "netprobe-hostile-deep", rv)
            obj["deep"] = "@DEEP@"
            head, tail = dumps({"type": "ADDED", "object": obj}).split(dumps("@DEEP@"), 1)
            return [head, *nested(rule["depth"]), tail + b"\n" + bookmark_line(rtype, rv)]
        if mode == "garbage":
            text = b"".join(garbage_lines(rule["lines"], rule.get("seed", 1)))
            step = 4096 - 7  # lines cut across chunks
            return [text[i:i + step] for i in range(0, len(text), step)]
        if mode == "wrong_types":
            return [b"".join(wrong_type_events(rtype, rv))]
        raise AssertionError(mode)

    def list_head(self, rtype, rv, meta=None):
        return dumps({"kind": rtype.kind + "List", "apiVersion": rtype.api_version,
                      "metadata": meta if meta is not None else {"resourceVersion": str(rv)}})[:-1] + b',"items":['

    def send_pieces(self, record, pieces, content_length=None):
        """A 200 whose body is the pieces (chunked unless its length is given)."""
        self.start_stream(content_length)
        for piece in pieces:
            if content_length is None:
                self.write_chunk(piece, record)
            else:
                self.wfile.write(piece)
                record["bytes"] += len(piece)
        if content_length is None:
            self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()
        record["sent"] = True

    def hostile_deep_json(self, record, rule, rtype, kind, rv, deadline):
        item = hostile_object(rtype, "netprobe-hostile-deep", rv)
        item.pop("kind"), item.pop("apiVersion")
        item["deep"] = "@DEEP@"
        head, tail = dumps(item).split(dumps("@DEEP@"), 1)
        pieces = [self.list_head(rtype, rv) + head, *nested(rule["depth"]), tail + b"]}"]
        self.send_pieces(record, pieces, sum(map(len, pieces)))

    def hostile_huge_list(self, record, rule, rtype, kind, rv, deadline):
        """Items of one fixed length until the body is rule["bytes"] long; streamed, never held."""
        template = hostile_object(rtype, "netprobe-hostile-%08d", rv)
        template.pop("kind"), template.pop("apiVersion")
        item = dumps(template)
        head, tail = self.list_head(rtype, rv), b"]}"
        size = len(item) - 2  # %08d becomes 8 digits
        count = max(1, -(-(rule["bytes"] - len(head) - len(tail)) // (size + 1)))
        total = len(head) + count * size + (count - 1) + len(tail)
        self.start_stream(total if rule.get("content_length") else None)
        send = (lambda data: self.write_chunk(data, record)) if not rule.get("content_length") else None

        def out(data):
            if send:
                send(data)
            else:
                self.wfile.write(data)
                record["bytes"] += len(data)

        out(head)
        batch, i = [], 0
        while i < count:
            if time.monotonic() > deadline:
                return self.cut()
            batch = [item % n for n in range(i, min(i + 500, count))]
            out((b"," if i else b"") + b",".join(batch))
            i += len(batch)
        out(tail)
        if send:
            self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()
        record["sent"] = True

    def hostile_trickle(self, record, rule, rtype, kind, rv, deadline):
        self.start_stream()
        text = self.list_head(rtype, rv) if kind == "list" else b'{"type":"ADDED","object":{"kind":"' + \
            rtype.kind.encode() + b'","metadata":{"name":"netprobe-hostile-trickle","annotations":{"a":"'
        i = 0
        while time.monotonic() < deadline:
            self.write_chunk(text[i:i + 1] if i < len(text) else b"x", record)
            i += 1
            if self.hold(min(deadline, time.monotonic() + 1)):
                break
        record["sent"] = True
        self.cut()

    def hostile_stall_headers(self, record, rule, rtype, kind, rv, deadline):
        # No status line is sent, so log_request never runs: the request is logged here, status 0.
        self.log_request(0)
        self.hold(deadline)
        record["sent"] = True
        self.cut()

    def hostile_bad_chunking(self, record, rule, rtype, kind, rv, deadline):
        self.start_stream()
        good = self.list_head(rtype, rv) if kind == "list" else bookmark_line(rtype, rv)
        self.write_chunk(good, record)
        line = bookmark_line(rtype, rv)
        if rule.get("variant", "bad_size") == "overrun":
            bad = b"%x\r\n" % 5 + line + b"\r\n"  # 5 bytes announced, a whole line sent
        else:
            bad = b"zz\r\n" + line + b"\r\n"  # not a hex size
        self.wfile.write(bad)
        self.wfile.flush()
        record["bytes"] += len(bad)
        record["sent"] = True
        self.hold(min(deadline, time.monotonic() + 2))
        self.cut()

    def hostile_wrong_types(self, record, rule, rtype, kind, rv, deadline):
        """A list: by the rule's nth request, items an object, resourceVersion a number, or the real
        items with wrong-typed ones among them."""
        variant = (record["nth"] - 1) % 3
        if variant == 0:
            body = self.list_head(rtype, rv)[:-len(b'"items":[')] + b'"items":{"netprobe-hostile":{"a":1}}}'
        elif variant == 1:
            body = self.list_head(rtype, rv, {"resourceVersion": rv}) + b"]}"
        else:
            store = self.server.store
            with store.cond:
                current = store.rv
                _, items, _, _ = list_page(store, rtype, Selection(rtype, None, {}), {})
            body = self.list_head(rtype, current) + b",".join([s.item for s in items] +
                                                             wrong_type_items(rtype, current)) + b"]}"
        self.send_pieces(record, [body], len(body))

    def hostile_chunk_ext_flood(self, record, rule, rtype, kind, rv, deadline):
        self.start_stream()
        if rule.get("variant", "extension") == "trailer":
            start = b"0\r\nX-Netprobe-Hostile: "  # the last chunk, then a trailer field that never ends
        else:
            start = b"1;netprobe-hostile="  # a chunk header whose extension never ends
        self.wfile.write(start)
        record["bytes"] += len(start)
        piece = b"a" * (64 << 10)
        while record["bytes"] < rule["bytes"] and time.monotonic() < deadline:
            self.wfile.write(piece)
            record["bytes"] += len(piece)
        self.wfile.flush()
        record["sent"] = True
        self.hold(min(deadline, time.monotonic() + 2))
        self.cut()

    def hostile_expired(self, record, rule, rtype, kind, rv, deadline):
        store = self.server.store
        with store.cond:
            error = too_old(rv, max(store.floor(rtype), rv + 1))
        if kind == "watch" and not rule.get("http"):
            self.send_pieces(record, [event_line("ERROR", dumps(error.status()))])
        else:
            self.send_error_status(error)
            record["sent"] = True

    def watch_timeout(self, params):
        text = params.get("timeoutSeconds", "")
        if not text:
            return self.server.default_watch_timeout
        try:
            seconds = int(text)
        except ValueError:
            raise bad_request(f'invalid timeoutSeconds "{text}"') from None
        return min(max(seconds, 0), self.server.max_watch_timeout) or self.server.default_watch_timeout

    def watch_start(self, store, rtype, selection, rv_text, initial, watcher, form):
        """The first lines of a watch and whether it is expired; registers the watcher (lock held)."""
        state = store.states[rtype.id]
        if rv_text not in ("", "0") and not initial:
            rv = parse_rv(rv_text)
            store.wait_for_rv(rv)
            if rv < store.floor(rtype):
                status = too_old(rv, store.floor(rtype)).status()
                return [event_line("ERROR", dumps(status))], True
            start = bisect.bisect_right(state.history_rvs, rv)
            watcher.queue.extend(state.history[start:])
            store.watchers.add(watcher)
            return [], False
        if rv_text not in ("", "0"):
            store.wait_for_rv(parse_rv(rv_text))
        lo, hi = key_range(state.keys, selection.namespace)
        current = [state.objs[k] for k in state.keys[lo:hi]]
        lines = [self.event_bytes("ADDED", s, form) for s in current if selection.matches(s)]
        if initial:
            lines.append(bookmark_line(rtype, store.rv, initial_events_end=True))
        store.watchers.add(watcher)
        return lines, False

    def event_bytes(self, kind, stored, form):
        if form == "json":
            return event_line(kind, stored.full())
        params = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
        include = (params.get("includeObject") or [None])[-1]
        return event_line(kind, table_body(stored.rtype, [stored], {"resourceVersion": str(stored.rv)},
                                           include, form[1]))

    def follow(self, store, watcher, writer, form, bookmarks, deadline):
        """Streams the watcher's events until the deadline, a drop, or the client leaving."""
        interval = self.server.bookmark_interval
        next_bookmark = time.monotonic() + interval
        while True:
            with store.cond:
                wake = min(deadline, next_bookmark if bookmarks else deadline, time.monotonic() + 1.0)
                while not (watcher.queue or watcher.drop_requested or watcher.end_requested) \
                        and time.monotonic() < wake:
                    store.cond.wait(max(wake - time.monotonic(), 0))
                events = list(watcher.queue)
                watcher.queue.clear()
                rv_now = store.rv
            if watcher.drop_requested:
                raw_shutdown(self.connection)
                self.close_connection = True
                return
            if len(events) > self.server.max_watch_queue:
                log("api watch", watcher.id, "is too slow:", len(events), "events behind; closing it")
                raw_shutdown(self.connection)
                self.close_connection = True
                return
            lines = []
            for event in events:
                seen = selected_event(event, watcher.selection)
                if seen:
                    lines.append(self.event_bytes(seen[0], seen[1], form))
            now = time.monotonic()
            ending = watcher.end_requested or now >= deadline
            if bookmarks and (now >= next_bookmark or ending):
                lines.append(bookmark_line(watcher.rtype, rv_now))
                next_bookmark = now + interval
            if lines:
                writer.write_events(lines)
                watcher.sent += len(lines)
            if ending:
                return writer.end()
            if client_gone(self.connection):
                self.close_connection = True
                return


def groups_of(types):
    groups = collections.OrderedDict()
    for rtype in types:
        versions = groups.setdefault(rtype.group, [])
        if rtype.version not in versions:
            versions.append(rtype.version)
    return groups


class LoopbackServer(socketserver.ThreadingMixIn, HTTPServer):
    """An HTTP server that refuses to listen anywhere but loopback and never resolves names."""

    daemon_threads = True
    allow_reuse_address = True
    # A real API server's listen backlog is the kernel's (4096); socketserver's default of 5 drops
    # the connections a client opens at once, one per watched resource.
    request_queue_size = 128

    def __init__(self, host, port, handler):
        if not ipaddress.ip_address(host).is_loopback:
            raise SystemExit(f"refusing to listen on {host}: loopback only")
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        super().__init__((host, port), handler)

    def server_bind(self):
        socketserver.TCPServer.server_bind(self)  # HTTPServer's would look up the host name
        host, port = self.server_address[:2]
        self.server_name, self.server_port = host, port
        self.address_text = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"

    def handle_error(self, request, client_address):
        log("connection from", client_address[0], "failed:", repr(sys.exc_info()[1]))


# --------------------------------------------------------------------------------------------
# The control API (plain HTTP, loopback)
# --------------------------------------------------------------------------------------------

def parse_json_values(body):
    """Every JSON value in the body (one document, an array, or several concatenated)."""
    text, decoder, values, position = body.decode("utf-8"), json.JSONDecoder(), [], 0
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position == len(text):
            return values
        value, position = decoder.raw_decode(text, position)
        values.append(value)


def flatten_objects(values):
    """Objects out of documents, arrays and Lists (kubectl's List or a typed XList whose items
    lack kind/apiVersion, as the API serves them)."""
    objects = []
    for value in values:
        if value is None:
            continue  # an empty YAML document
        if isinstance(value, list):
            objects += flatten_objects(value)
        elif isinstance(value, dict) and isinstance(value.get("items"), list) and \
                str(value.get("kind", "")).endswith("List"):
            kind = value["kind"][:-4]
            for item in value["items"]:
                if isinstance(item, dict) and kind and "kind" not in item:
                    item = {"apiVersion": value.get("apiVersion"), "kind": kind, **item}
                objects += flatten_objects([item])
        else:
            objects.append(value)
    return objects


def object_refs(values, query):
    """(apiVersion, kind, namespace, name) to delete, from the query or from objects in the body."""
    if query.get("kind"):
        return [(query.get("apiVersion", "v1"), query["kind"], query.get("namespace"), query.get("name"))]
    refs = []
    for obj in flatten_objects(values):
        if not isinstance(obj, dict):
            raise ValueError("expected objects")
        meta = obj.get("metadata") or {}
        refs.append((obj.get("apiVersion"), obj.get("kind"), meta.get("namespace"), meta.get("name")))
    if not refs:
        raise ValueError("name objects to delete: apiVersion, kind, namespace, name (query or body)")
    return refs


class ControlHandler(BaseHTTPRequestHandler):
    """Curl-friendly JSON endpoints for the test; malformed input is the test's bug: 400."""

    protocol_version = "HTTP/1.1"
    timeout = 30

    def version_string(self):
        return "netprobe-kube-control"

    def log_message(self, fmt, *args):
        pass

    def log_request(self, code="-", size="-"):
        log("control", self.command, self.path, code)

    def reply(self, code, value):
        body = dumps(value) + b"\n"
        self.send_response(code)
        self.send_header("Content-Type", JSON)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def body_values(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        return parse_json_values(body) if body.strip() else []

    def body_object(self):
        values = self.body_values()
        if len(values) > 1 or (values and not isinstance(values[0], dict)):
            raise ValueError("expected one JSON object")
        return values[0] if values else {}

    def dispatch(self):
        url = urllib.parse.urlsplit(self.path)
        query = {k: v[-1] for k, v in urllib.parse.parse_qs(url.query).items()}
        route = ROUTES.get((self.command, url.path.rstrip("/") or "/"))
        if route is None:
            return self.reply(404, {"error": f"no control endpoint {self.command} {url.path}"})
        try:
            self.reply(200, route(self, query))
        except KeyError as e:
            self.reply(404, {"error": str(e).strip('"')})
        except (ValueError, TypeError, AttributeError, UnicodeDecodeError) as e:
            self.reply(400, {"error": str(e)})

    do_GET = do_POST = do_DELETE = do_PUT = dispatch

    @property
    def store(self):
        return self.server.store

    # -- endpoints ----------------------------------------------------------------------------

    def healthz(self, query):
        return {"ok": True}

    def state(self, query):
        with self.store.cond:
            counts = {t.qualified: len(self.store.states[t.id].objs) for t in self.store.known.values()
                      if self.store.states[t.id].objs}
            return {"resourceVersion": str(self.store.rv), "compacted": str(self.store.compacted),
                    "served": sorted(t.qualified for t in self.store.types.values()), "objects": counts,
                    "watches": len(self.store.watchers)}

    def apply_objects(self, query):
        objects = flatten_objects(self.body_values())
        if not objects:
            raise ValueError("no objects in the body")
        return self.store.apply(objects)

    def delete_objects(self, query):
        return self.store.delete(object_refs(self.body_values(), query))

    def compact(self, query):
        body = self.body_object()
        rv = body.get("resourceVersion", query.get("resourceVersion"))
        return {"compacted": str(self.store.compact(None if rv is None else int(rv)))}

    def list_watches(self, query):
        with self.store.cond:
            return {"watches": [w.describe() for w in sorted(self.store.watchers, key=lambda w: w.id)]}

    def drop_watches(self, query):
        """mode "close" (default): cut the connections, as a crashing server or a load balancer does;
        "end": finish each stream cleanly with the zero chunk, as a graceful shutdown does."""
        mode = self.body_object().get("mode", query.get("mode", "close"))
        if mode not in ("close", "end"):
            raise ValueError('mode is "close" or "end"')
        with self.store.cond:
            watchers = list(self.store.watchers)
            for watcher in watchers:
                if mode == "close":
                    watcher.drop_requested = True
                    raw_shutdown(watcher.sock)  # also unblocks a writer stuck on a full socket
                else:
                    watcher.end_requested = True
            self.store.cond.notify_all()
        return {"dropped": len(watchers), "mode": mode}

    def crd_names(self, query):
        body = self.body_object()
        names = body.get("resources") or [body.get("resource") or query.get("resource")]
        if not all(isinstance(n, str) and n in CRD_TEMPLATES for n in names):
            raise ValueError(f"known CRDs: {', '.join(sorted(CRD_TEMPLATES))} (resource or resources)")
        return names

    def install_crds(self, query):
        return self.store.apply([CRD_TEMPLATES[n] for n in self.crd_names(query)])

    def uninstall_crds(self, query):
        refs = [("apiextensions.k8s.io/v1", "CustomResourceDefinition", None, CRD_TEMPLATES[n]["metadata"]["name"])
                for n in self.crd_names(query)]
        return self.store.delete(refs)

    def throttle(self, query):
        body = self.body_object()
        count, retry_after = int(body.get("count", 1)), int(body.get("retry_after", 1))
        resource = body.get("resource", "*")
        if count < 1 or retry_after < 0 or not isinstance(resource, str):
            raise ValueError("count >= 1, retry_after >= 0, resource a plural name or *")
        self.server.throttle.add(resource, count, retry_after)
        return {"resource": resource, "count": count, "retry_after": retry_after}

    def hostile(self, query):
        return self.server.hostile.add(self.body_object())

    def hostile_state(self, query):
        return self.server.hostile.state()

    def clear_hostile(self, query):
        return {"cleared": self.server.hostile.clear()}

    def requests(self, query):
        return {"requests": self.server.requests.since(int(query.get("since", 0)))}

    def clear_requests(self, query):
        self.server.requests.clear()
        return {"cleared": True}

    def generate(self, query):
        return generate_cluster(self.store, self.body_object())


ROUTES = {
    ("GET", "/healthz"): ControlHandler.healthz,
    ("GET", "/state"): ControlHandler.state,
    ("POST", "/objects"): ControlHandler.apply_objects,
    ("PUT", "/objects"): ControlHandler.apply_objects,
    ("DELETE", "/objects"): ControlHandler.delete_objects,
    ("POST", "/objects/delete"): ControlHandler.delete_objects,
    ("POST", "/compact"): ControlHandler.compact,
    ("GET", "/watches"): ControlHandler.list_watches,
    ("POST", "/watches/drop"): ControlHandler.drop_watches,
    ("POST", "/crds/install"): ControlHandler.install_crds,
    ("POST", "/crds/uninstall"): ControlHandler.uninstall_crds,
    ("POST", "/throttle"): ControlHandler.throttle,
    ("POST", "/hostile"): ControlHandler.hostile,
    ("GET", "/hostile"): ControlHandler.hostile_state,
    ("DELETE", "/hostile"): ControlHandler.clear_hostile,
    ("GET", "/requests"): ControlHandler.requests,
    ("DELETE", "/requests"): ControlHandler.clear_requests,
    ("POST", "/generate"): ControlHandler.generate,
}


# --------------------------------------------------------------------------------------------
# A synthetic large cluster
# --------------------------------------------------------------------------------------------

def generate_cluster(store, spec):
    """Namespaces, nodes, pods and policies in bulk, written straight into the store (one
    resourceVersion each, sorted once, history compacted after), for scale benchmarks. The pod and
    node addresses are data only: nothing ever connects to them."""
    counts = {k: int(spec.get(k, 0)) for k in ("namespaces", "nodes", "pods", "networkpolicies")}
    if any(v < 0 for v in counts.values()) or (counts["pods"] or counts["networkpolicies"]) and not counts["namespaces"]:
        raise ValueError("non-negative counts; pods and networkpolicies need namespaces")
    if counts["pods"] and not counts["nodes"]:
        raise ValueError("pods need nodes")
    rng = random.Random(int(spec.get("seed", 1)))
    started = time.monotonic()
    stamp = now_rfc3339()
    types = {t.plural: t for t in BUILTIN_TYPES}
    namespaces = [f"ns-{i:04d}" for i in range(counts["namespaces"])]
    nodes = [f"node-{i:05d}" for i in range(counts["nodes"])]

    def meta(name, namespace=None, labels=None):
        value = {"name": name}
        if namespace:
            value["namespace"] = namespace
        value.update(uid=str(uuid.UUID(int=rng.getrandbits(128), version=4)), resourceVersion="",
                     creationTimestamp=stamp)
        if labels:
            value["labels"] = labels
        return value

    def namespace_obj(i, name):
        return {"metadata": meta(name, labels={"kubernetes.io/metadata.name": name, "team": f"team-{i % 50}"}),
                "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}}

    def node_obj(i, name):
        return {"metadata": meta(name, labels={"kubernetes.io/hostname": name,
                                               "topology.kubernetes.io/zone": f"zone-{i % 3}"}),
                "spec": {"podCIDR": f"10.{(i >> 8) & 255}.{i & 255}.0/24"},
                "status": {"addresses": [{"type": "InternalIP", "address": f"10.250.{(i >> 8) & 255}.{i & 255}"},
                                         {"type": "Hostname", "address": name}],
                           "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady"}],
                           "nodeInfo": {"kubeletVersion": "v1.30.0"}}}

    def pod_obj(i, name):
        namespace, node, app = namespaces[i % len(namespaces)], nodes[i % len(nodes)], f"app-{i % 20}"
        return {"metadata": meta(name, namespace, {"app": app, "pod-template-hash": "5d8f9c7b6"}),
                "spec": {"nodeName": node, "serviceAccountName": "default", "restartPolicy": "Always",
                         "schedulerName": "default-scheduler",
                         "containers": [{"name": "main", "image": f"registry.example/{app}:1.0",
                                         "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"},
                                                   {"name": "metrics", "containerPort": 9090, "protocol": "TCP"}]}]},
                "status": {"phase": "Running", "podIP": f"10.{64 + (i >> 16)}.{(i >> 8) & 255}.{i & 255}",
                           "conditions": [{"type": "Ready", "status": "True"}],
                           "containerStatuses": [{"name": "main", "ready": True, "restartCount": 0}]}}

    def policy_obj(i, name):
        namespace = namespaces[i % len(namespaces)]
        return {"metadata": meta(name, namespace),
                "spec": {"podSelector": {"matchLabels": {"app": f"app-{i % 20}"}}, "policyTypes": ["Ingress"],
                         "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"team": f"team-{i % 50}"}}}],
                                      "ports": [{"port": 8080, "protocol": "TCP"}]}]}}

    def agent_obj(i, name):
        # bench/controller_load's agent i advertises 127.1.(i/250 % 250).(1 + i % 250) when it listens
        # for nothing: the pod is found by that address, as in a cluster by its pod IP.
        return {"metadata": {**meta(name, "monitoring", {"app.kubernetes.io/name": "netprobe-agent"}),
                             "ownerReferences": [{"apiVersion": "apps/v1", "kind": "DaemonSet", "name": "netprobe-agent",
                                                  "uid": "netprobe-agent-ds", "controller": True}]},
                "spec": {"nodeName": nodes[i], "serviceAccountName": "netprobe-agent",
                         "containers": [{"name": "agent", "image": "registry.example/netprobe:0.1",
                                         "ports": [{"name": "api", "containerPort": 9743, "protocol": "TCP"}]}]},
                "status": {"phase": "Running", "podIP": f"127.1.{i // 250 % 250}.{1 + i % 250}",
                           "conditions": [{"type": "Ready", "status": "True"}]}}

    coredns_ips = ["10.244.0.12", "10.244.1.7"]  # not-a-destination: as bench/controller_load's kube-dns endpoints

    def coredns_obj(i, name):
        return {"metadata": meta(name, "kube-system", {"k8s-app": "kube-dns"}),
                "spec": {"nodeName": nodes[i % len(nodes)],
                         "containers": [{"name": "coredns", "image": "registry.example/coredns:1.11",
                                         "ports": [{"name": "dns", "containerPort": 53, "protocol": "UDP"},
                                                   {"name": "dns-tcp", "containerPort": 53, "protocol": "TCP"}]}]},
                "status": {"phase": "Running", "podIP": coredns_ips[i], "conditions": [{"type": "Ready", "status": "True"}]}}

    def service_obj(i, name):
        return {"metadata": meta(name, "kube-system", {"k8s-app": "kube-dns"}),
                "spec": {"clusterIP": "10.96.0.10", "clusterIPs": ["10.96.0.10"], "selector": {"k8s-app": "kube-dns"},  # not-a-destination
                         "ports": [{"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53},
                                   {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 53}]}}

    def slice_obj(i, name):
        return {"metadata": meta(name, "kube-system", {"kubernetes.io/service-name": "kube-dns"}),
                "addressType": "IPv4",
                "endpoints": [{"addresses": [ip], "conditions": {"ready": True, "serving": True, "terminating": False},
                               "targetRef": {"kind": "Pod", "namespace": "kube-system", "name": f"coredns-{j}"}}
                              for j, ip in enumerate(coredns_ips)],
                "ports": [{"name": "dns", "port": 53, "protocol": "UDP"}, {"name": "dns-tcp", "port": 53, "protocol": "TCP"}]}

    agents = bool(spec.get("agents", False))
    if agents and not counts["nodes"]:
        raise ValueError("agents need nodes")
    system = ["monitoring", "kube-system"] if agents else []
    plan = [("namespaces", namespaces, namespace_obj), ("namespaces", system, namespace_obj), ("nodes", nodes, node_obj),
            ("pods", [f"pod-{i:06d}" for i in range(counts["pods"])], pod_obj),
            ("networkpolicies", [f"policy-{i:05d}" for i in range(counts["networkpolicies"])], policy_obj)]
    if agents:
        plan += [("pods", [f"netprobe-agent-{i:05d}" for i in range(len(nodes))], agent_obj),
                 ("pods", [f"coredns-{i}" for i in range(len(coredns_ips))], coredns_obj),
                 ("services", ["kube-dns"], service_obj), ("endpointslices", ["kube-dns-a"], slice_obj)]
    with store.cond:
        for plural, names, build in plan:
            rtype, state = types[plural], store.states[types[plural].id]
            for i, name in enumerate(names):
                obj = build(i, name)
                store.rv += 1
                obj["metadata"]["resourceVersion"] = str(store.rv)
                stored = Stored(rtype, obj, store.rv)
                if stored.key not in state.objs:
                    state.keys.append(stored.key)
                state.objs[stored.key] = stored
            state.keys.sort()
        compacted = store.rv
        store.compacted = compacted  # no history for bulk data: as if etcd had compacted meanwhile
        for state in store.states.values():
            state.history.clear(), state.history_rvs.clear(), state.snapshots.clear()
        for watcher in store.watchers:  # their view is gone: end them, clients relist
            watcher.end_requested = True
        store.cond.notify_all()
    # Hundreds of thousands of long-lived containers: keep them out of the cyclic GC, whose full
    # passes over them would otherwise stall a request now and then for a third of a second.
    gc.collect()
    gc.freeze()
    return {"resourceVersion": str(compacted), "compacted": str(compacted), **counts, "agents": agents,
            "seconds": round(time.monotonic() - started, 3)}


# --------------------------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------------------------

def load_fixtures(store, directory):
    objects = []
    for name in sorted(os.listdir(directory)):
        if name.endswith(".json"):
            with open(os.path.join(directory, name), "rb") as f:
                objects += flatten_objects(parse_json_values(f.read()))
    if objects:
        store.apply(objects)
    return len(objects)


def parse_args(argv):
    p = argparse.ArgumentParser(description="A stand-in Kubernetes API server for tests (loopback only).")
    p.add_argument("--listen", default="127.0.0.1", help="loopback address of the API (HTTPS)")
    p.add_argument("--port", type=int, default=0, help="API port (0: any free one, see --ready-file)")
    p.add_argument("--control-listen", default="127.0.0.1", help="loopback address of the control API (HTTP)")
    p.add_argument("--control-port", type=int, default=0)
    p.add_argument("--cert", required=True, help="server certificate (PEM)")
    p.add_argument("--key", required=True, help="its private key (PEM)")
    p.add_argument("--token-file", required=True, help="valid bearer tokens, one a line, re-read every request")
    p.add_argument("--anonymous-auth", action="store_true",
                   help="requests without a token are system:anonymous (403) instead of 401")
    p.add_argument("--fixtures", help="directory of .json objects/lists to load at start")
    p.add_argument("--bookmark-interval", type=float, default=60.0, help="seconds between watch BOOKMARKs")
    p.add_argument("--split-every", type=int, default=3,
                   help="cut every Nth watch event across two chunks (0: never)")
    p.add_argument("--default-watch-timeout", type=int, default=1800, help="seconds, without timeoutSeconds")
    p.add_argument("--max-watch-timeout", type=int, default=3600, help="cap on timeoutSeconds")
    p.add_argument("--max-watch-queue", type=int, default=100000, help="events a watch may lag before it is closed")
    p.add_argument("--history-limit", type=int, default=200000, help="events kept per resource type")
    p.add_argument("--ready-file", help="written with the bound ports once both servers listen")
    return p.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    store = Store(args.history_limit)
    if args.fixtures:
        log("loaded", load_fixtures(store, args.fixtures), "fixture objects")

    api = LoopbackServer(args.listen, args.port, ApiHandler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.cert, args.key)
    context.set_alpn_protocols(["http/1.1"])  # no HTTP/2: clients fall back, as to an HTTP/1.1 proxy
    api.ssl_context, api.store, api.token_file = context, store, args.token_file
    api.anonymous, api.requests, api.throttle = args.anonymous_auth, RequestLog(), Throttle()
    api.bookmark_interval, api.split_every = args.bookmark_interval, args.split_every
    api.default_watch_timeout, api.max_watch_timeout = args.default_watch_timeout, args.max_watch_timeout
    api.max_watch_queue = args.max_watch_queue
    api.hostile = Hostile()

    control = LoopbackServer(args.control_listen, args.control_port, ControlHandler)
    control.store, control.requests, control.throttle = store, api.requests, api.throttle
    control.hostile = api.hostile
    threading.Thread(target=control.serve_forever, daemon=True, name="control").start()

    ports = {"port": api.server_address[1], "control_port": control.server_address[1], "pid": os.getpid()}
    log("listening: api https://" + api.address_text, "control http://" + control.address_text)
    if args.ready_file:
        with open(args.ready_file + ".tmp", "w", encoding="utf-8") as f:
            json.dump(ports, f)
        os.replace(args.ready_file + ".tmp", args.ready_file)
    try:
        api.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
