"""The emulator's world (shared/spec/emulator-world.md): build, validate, and look things up.

Validation errors name the field path and, for YAML files, the line. State that several services read is typed
here; a list only one service reads is a section that service declares (:mod:`.registry`),
loaded the same way (:func:`.backends.load_world` passes the sections in: this module imports no service).
"""

from __future__ import annotations

import copy
import datetime
from dataclasses import MISSING, dataclass, field
from pathlib import Path
from typing import Any

from ..google.access import ALL_SERVICES
from ..google.api_keys import method_admitted
from .deny import policy_problem
from .world_yaml import WorldError, read_world_file

KEY_STATES = ("active", "leaked", "suspended", "expired", "deleted")
BILLING = ("enabled", "disabled", "none", "prepay_depleted")
KEY_KINDS = ("standard", "auth")
LAUNCH_STAGES = ("GA", "PUBLIC_PREVIEW", "PRIVATE_PREVIEW", "RETIRED")
PLATFORMS = ("gce", "cloud-run")
PROJECT_STATES = ("ACTIVE", "DELETE_REQUESTED")
ORG_POLICY_RULE = {
    "allowed_values": list,
    "denied_values": list,
    "allow_all": bool,
    "deny_all": bool,
    "enforce": bool,
}


@dataclass
class Caller:
    ip: str = "203.0.113.7"
    country: str = "US"
    referrer: str | None = None
    android_package: str | None = None
    ios_bundle: str | None = None


@dataclass
class Project:
    id: str
    number: int
    billing: str = "enabled"
    services: list[str] = field(default_factory=list)
    disabled_apis: list[str] = field(default_factory=list)  # admin APIs turned off (on unless listed)
    iam: list[dict] = field(default_factory=list)
    entitlements: list[str] = field(default_factory=list)
    denied: bool = False
    vpc_sc: bool = False
    org_policy_denied_models: list[str] = field(default_factory=list)
    quota: dict[str, int] = field(default_factory=dict)
    billing_account: str | None = (
        None  # extension: the id of the account in `billing_accounts` it is linked to
    )
    state: str = "ACTIVE"  # extension: Resource Manager's lifecycle state (ACTIVE | DELETE_REQUESTED)
    org_policies: dict[str, dict] = field(default_factory=dict)  # extension: constraint -> its effective rule
    deny_policies: list[dict] = field(
        default_factory=list
    )  # IAM deny policies attached to the project (deny.py)
    data_access_logs: list[str] = field(
        default_factory=lambda: [ALL_SERVICES]
    )  # services whose Data Access audit logs are on

    def logs_data_access(self, service: str) -> bool:
        """Whether the project's Data Access audit logs are on for *service*."""
        return ALL_SERVICES in self.data_access_logs or service in self.data_access_logs


@dataclass
class Restrictions:
    api_targets: list[str] = field(default_factory=list)
    referrers: list[str] = field(default_factory=list)
    ips: list[str] = field(default_factory=list)
    android_apps: list[str] = field(default_factory=list)
    ios_bundles: list[str] = field(default_factory=list)
    # API Keys' ApiTarget.methods: per allowed service, the methods the key may call (absent: all of them)
    api_methods: dict[str, list[str]] = field(default_factory=dict)
    # AndroidApplication.sha1Fingerprint: per allowed package, its signing certificate's SHA-1
    android_fingerprints: dict[str, str] = field(default_factory=dict)


@dataclass
class ApiKey:
    key: str
    name: str
    project: str
    state: str = "active"
    restrictions: Restrictions | None = None
    vertex_express: bool = False
    kind: str | None = None  # standard | auth; None: auth for AQ. keys, standard otherwise
    service_account: str | None = None  # the account an auth key is bound to (Key.serviceAccountEmail)
    display_name: str | None = None  # the key's human-readable name (Key.displayName)

    def allows(self, service: str, rpc: str) -> bool:
        """Whether the key's API restrictions let it call *rpc* of *service* (no API restrictions: any)."""
        rules = self.restrictions
        if rules is None or not rules.api_targets:
            return True
        return service in rules.api_targets and method_admitted(
            rules.api_methods.get(service, []), service, rpc
        )


@dataclass
class Model:
    name: str
    surfaces: list[str] = field(default_factory=lambda: ["gemini-api", "vertex"])
    locations: list[str] = field(default_factory=lambda: ["global", "us-central1"])
    launch_stage: str = "GA"
    requires_entitlement: bool = False
    free_tier: bool = True
    closed_to_new_users_from: datetime.date | None = None
    retired_from: datetime.date | None = None
    replacement: str | None = None
    used_by: list[str] = field(default_factory=list)  # projects that used it before it closed to new users

    def refusal(self, today: datetime.date, project: Project | None) -> str | None:
        """Why Google no longer serves this model to *project* on *today*, else None: 'gone' (launch stage
        RETIRED: unknown to the API), 'retired' (from retired_from) or 'closed' (to new users)."""
        if self.launch_stage == "RETIRED":
            return "gone"
        if self.retired_from and today >= self.retired_from:
            return "retired"
        used = project is not None and (
            project.id in self.used_by or str(project.number) in map(str, self.used_by)
        )
        if self.closed_to_new_users_from and today >= self.closed_to_new_users_from and not used:
            return "closed"
        return None


@dataclass
class Incident:
    model: str
    surface: str = "both"
    http_status: int = 403
    message: str = "The caller does not have permission"


@dataclass
class World:
    caller: Caller = field(default_factory=Caller)
    unsupported_countries: list[str] = field(default_factory=lambda: ["CN", "RU", "IR", "KP", "HK"])
    paid_only_countries: list[str] = field(default_factory=list)
    projects: list[Project] = field(default_factory=list)
    api_keys: list[ApiKey] = field(default_factory=list)
    service_accounts: list[dict] = field(default_factory=list)
    users: list[dict] = field(default_factory=list)
    models: list[Model] = field(default_factory=list)
    incidents: list[Incident] = field(default_factory=list)
    latency_ms: int = 0
    faults: list[dict] = field(default_factory=list)
    # Extensions (the spec allows new fields with defaults that keep old worlds valid):
    edge_blocked: bool = False  # Google's front end refuses the caller (HTML 403)
    client: dict = field(default_factory=dict)  # what the default caller's app uses (scenarios.py)
    metadata: dict = field(default_factory=dict)  # the machine's metadata server (metadata.py)
    today: datetime.date = field(default_factory=datetime.date.today)
    standard_key_cutoffs: dict[str, datetime.date] = field(default_factory=dict)  # unrestricted / all
    sections: dict[str, list] = field(default_factory=dict)  # the lists services own, by name (backends.py)

    def project(self, ref: str | int | None) -> Project | None:
        """A project by id or number."""
        return next((p for p in self.projects if ref in (p.id, p.number, str(p.number))), None)

    def api_key(self, key: str) -> ApiKey | None:
        return next((k for k in self.api_keys if k.key == key), None)

    def model(self, name: str) -> Model | None:
        return next((m for m in self.models if m.name == name), None)

    def section(self, name: str) -> list:
        """The world list *name* that a service declared (empty when the world has none; appends are kept)."""
        return self.sections.setdefault(name, [])

    def key_retirement(self, key: ApiKey) -> str | None:
        """Which of Google's standard-key cutoffs refuses *key* today: 'all', 'unrestricted' or None."""
        if key.kind != "standard" or key.vertex_express:
            return None
        cutoffs = self.standard_key_cutoffs
        if "all" in cutoffs and self.today >= cutoffs["all"]:
            return "all"
        unrestricted = key.restrictions is None or not key.restrictions.api_targets
        if unrestricted and "unrestricted" in cutoffs and self.today >= cutoffs["unrestricted"]:
            return "unrestricted"
        return None


_TOP = {
    "caller",
    "unsupported_countries",
    "paid_only_countries",
    "projects",
    "api_keys",
    "service_accounts",
    "users",
    "models",
    "incidents",
    "latency_ms",
    "faults",
    "edge_blocked",
    "client",
    "metadata",
    "today",
    "standard_key_cutoffs",
}


def build_world(source: str | Path | dict, sections: dict[str, type]) -> World:
    """A world from a YAML/JSON file path or an already-parsed mapping, with the lists *sections* names (the
    services' own: see :func:`.backends.load_world`, which is how the rest of the emulator loads a world)."""
    lines: dict[tuple, int] = {}
    where = "" if isinstance(source, dict) else f"{source}: "
    if isinstance(source, dict):
        data = copy.deepcopy(
            source
        )  # the world mutates (enable, setIamPolicy); never alias the caller's data
    else:
        data, lines = read_world_file(str(source))
    if not isinstance(data, dict):
        raise WorldError(f"{where}the world must be a mapping at the top level")
    return _Builder(lines, where).world(
        {k: v for k, v in data.items() if k in _TOP or k in sections}, sections
    )


class _Builder:
    """Typed construction with error messages that name the field path and line."""

    def __init__(self, lines: dict[tuple, int], where: str = "") -> None:
        self.lines, self.where = lines, where  # where: the file's name and ": ", for messages

    def fail(self, path: tuple, message: str) -> WorldError:
        name = ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in path).replace(".[", "[")
        line = next((self.lines[path[:n]] for n in range(len(path), 0, -1) if path[:n] in self.lines), None)
        return WorldError(f"{self.where}{name}: {message}" + (f" (line {line})" if line else ""))

    def world(self, data: dict, sections: dict[str, type]) -> World:
        world = World(
            caller=self.record(Caller, data.get("caller") or {}, ("caller",)),
            projects=[self.project(p, ("projects", n)) for n, p in enumerate(self.items(data, "projects"))],
            api_keys=[self.api_key(k, ("api_keys", n)) for n, k in enumerate(self.items(data, "api_keys"))],
            models=[self.model(m, ("models", n)) for n, m in enumerate(self.items(data, "models"))],
            incidents=[
                self.record(Incident, i, ("incidents", n))
                for n, i in enumerate(self.items(data, "incidents"))
            ],
            service_accounts=self.items(data, "service_accounts"),
            users=self.items(data, "users"),
            faults=self.faults(data),
            edge_blocked=self.typed(data.get("edge_blocked", False), bool, ("edge_blocked",)),
            client=self.typed(data.get("client") or {}, dict, ("client",)),
            metadata=self.metadata(data.get("metadata") or {}, ("metadata",)),
            standard_key_cutoffs=self.cutoffs(
                data.get("standard_key_cutoffs") or {}, ("standard_key_cutoffs",)
            ),
            sections={name: self.entries(data, name, entry) for name, entry in sections.items()},
        )
        if "today" in data:
            world.today = self.date(data["today"], ("today",))
        for key in ("unsupported_countries", "paid_only_countries"):
            if key in data:
                setattr(world, key, self.typed(data[key], list, (key,)))
        if "latency_ms" in data:
            world.latency_ms = self.typed(data["latency_ms"], int, ("latency_ms",))
        return world

    def metadata(self, raw: Any, path: tuple) -> dict:
        raw = self.typed(raw, dict, path)
        if not raw:
            return raw
        if raw.get("platform", "gce") not in PLATFORMS:
            raise self.fail(path + ("platform",), f"must be one of {', '.join(PLATFORMS)}")
        if "service_account" not in raw:
            raise self.fail(path + ("service_account",), "is required")
        self.typed(raw["service_account"], str, path + ("service_account",))
        self.typed(raw.get("scopes", []), list, path + ("scopes",))
        return raw

    def project(self, raw: Any, path: tuple) -> Project:
        project = self.record(Project, raw, path)
        if project.billing not in BILLING:
            raise self.fail(path + ("billing",), f"must be one of {', '.join(BILLING)}")
        if project.state not in PROJECT_STATES:
            raise self.fail(path + ("state",), f"must be one of {', '.join(PROJECT_STATES)}")
        for constraint, rule in project.org_policies.items():
            where = path + ("org_policies", constraint)
            for name, value in self.typed(rule, dict, where).items():
                if name not in ORG_POLICY_RULE:
                    raise self.fail(where + (name,), f"must be one of {', '.join(ORG_POLICY_RULE)}")
                self.typed(value, ORG_POLICY_RULE[name], where + (name,))
        for n, policy in enumerate(project.deny_policies):
            problem = policy_problem(policy)
            if problem:
                raise self.fail(path + ("deny_policies", n) + problem[0], problem[1])
        return project

    def model(self, raw: Any, path: tuple) -> Model:
        model = self.record(Model, raw, path)
        if model.launch_stage not in LAUNCH_STAGES:
            raise self.fail(path + ("launch_stage",), f"must be one of {', '.join(LAUNCH_STAGES)}")
        for name in ("closed_to_new_users_from", "retired_from"):
            if getattr(model, name) is not None:
                setattr(model, name, self.date(getattr(model, name), path + (name,)))
        return model

    def cutoffs(self, raw: Any, path: tuple) -> dict:
        raw = self.typed(raw, dict, path)
        unknown = next((k for k in raw if k not in ("unrestricted", "all")), None)
        if unknown is not None:
            raise self.fail(path + (unknown,), "must be one of unrestricted, all")
        return {k: self.date(v, path + (k,)) for k, v in raw.items()}

    def date(self, value: Any, path: tuple) -> datetime.date:
        """A date from YAML (already a date) or JSON / a mapping (an ISO string)."""
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        try:
            return datetime.date.fromisoformat(self.typed(value, str, path))
        except ValueError:
            raise self.fail(path, f"must be a date (YYYY-MM-DD), got {value!r}") from None

    def api_key(self, raw: Any, path: tuple) -> ApiKey:
        raw = dict(self.typed(raw, dict, path))
        restrictions = raw.pop("restrictions", None)
        key = self.record(ApiKey, raw, path)
        if restrictions is not None:
            where = path + ("restrictions",)
            key.restrictions = rules = self.record(Restrictions, restrictions, where)
            for service, methods in rules.api_methods.items():
                for n, method in enumerate(self.typed(methods, list, where + ("api_methods", service))):
                    self.typed(method, str, where + ("api_methods", service, n))
            for package, fingerprint in rules.android_fingerprints.items():
                self.typed(fingerprint, str, where + ("android_fingerprints", package))
        if key.state not in KEY_STATES:
            raise self.fail(path + ("state",), f"must be one of {', '.join(KEY_STATES)}")
        if key.kind is None:
            key.kind = "auth" if key.key.startswith("AQ.") else "standard"
        if key.kind not in KEY_KINDS:
            raise self.fail(path + ("kind",), f"must be one of {', '.join(KEY_KINDS)}")
        return key

    def record(self, cls: type, raw: Any, path: tuple) -> Any:
        raw = self.typed(raw, dict, path)
        fields_ = cls.__dataclass_fields__
        values = {}
        for name, value in raw.items():
            if name not in fields_:
                continue  # unknown fields are allowed (the spec lets worlds carry notes)
            expected = _TYPES.get(fields_[name].type)
            if expected is not None and value is not None:
                self.typed(value, expected, path + (name,))
            values[name] = value
        missing = [
            n
            for n, f in fields_.items()
            if f.default is MISSING and f.default_factory is MISSING and n not in values
        ]
        if missing:
            raise self.fail(path + (missing[0],), "is required")
        return cls(**values)

    def entries(self, data: dict, key: str, entry: type) -> list:
        """The list *key*, each entry a record of dataclass *entry* (or a mapping when *entry* is dict)."""
        if entry is dict:
            return [self.typed(e, dict, (key, n)) for n, e in enumerate(self.items(data, key))]
        return [self.record(entry, e, (key, n)) for n, e in enumerate(self.items(data, key))]

    def items(self, data: dict, key: str) -> list:
        return self.typed(data.get(key) or [], list, (key,))

    def typed(self, value: Any, expected: type | tuple, path: tuple) -> Any:
        if isinstance(value, bool) and expected in (int, (int,), float, (int, float)):
            raise self.fail(path, "must be a number")
        if not isinstance(value, expected):
            names = (
                expected.__name__ if isinstance(expected, type) else "/".join(t.__name__ for t in expected)
            )
            raise self.fail(path, f"must be of type {names}, got {type(value).__name__}")
        return self.bounded(value, path)

    def bounded(self, value: Any, path: tuple) -> Any:
        """*value* within its field's bounds (numbers by field name; every text and list by length)."""
        bounds = _BOUNDS.get(path[-1]) if path else None
        if bounds is not None and isinstance(value, (int, float)) and not bounds[0] <= value <= bounds[1]:
            raise self.fail(path, f"must be between {bounds[0]} and {bounds[1]}")
        if isinstance(value, str) and len(value) > MAX_TEXT:
            raise self.fail(path, f"is longer than {MAX_TEXT} characters")
        if isinstance(value, (list, dict)) and len(value) > MAX_ITEMS:
            raise self.fail(path, f"has more than {MAX_ITEMS} entries")
        return value

    def faults(self, data: dict) -> list[dict]:
        faults = self.items(data, "faults")
        for n, fault in enumerate(faults):
            self.typed(fault, dict, ("faults", n))
            self.typed(fault.get("kind", ""), str, ("faults", n, "kind"))
            self.typed(fault.get("path_contains", ""), str, ("faults", n, "path_contains"))
            self.typed(fault.get("rate", 1.0), (int, float), ("faults", n, "rate"))
        return faults


# numbers' bounds, by field name (latency and rates would otherwise hang or break the emulator)
_BOUNDS = {"latency_ms": (0, 60_000), "number": (1, 10**15), "http_status": (400, 599), "rate": (0, 1)}
MAX_TEXT, MAX_ITEMS = 65_536, 10_000
_TYPES = {
    "str": str,
    "int": int,
    "bool": bool,
    "list[str]": list,
    "list[dict]": list,
    "dict[str, int]": dict,
    "dict[str, str]": dict,
    "dict[str, list[str]]": dict,
    "dict[str, dict]": dict,
    "str | None": str,
    "str | int | None": (str, int),
}
