"""Who receives which tables, and how their personal data is masked (declared in pipelines/config.py).

A consumer is an export set under ``exports/<date>/<consumer>/``. Its masking policy maps each kind
of personal data (``PERSONAL_COLUMNS``) to what the consumer gets: the value (``keep``), a keyed hash
(``hash``), the year (``year``), the family name and an initial (``family_initial``), the initial
(``initial``) or nothing (``drop``). A column not named in ``PERSONAL_COLUMNS`` is not personal data
and is exported as it is; the ``no_personal_data`` check of a masked set backs that up by looking for
every golden customer's email, phone and id number in what was written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pipelines import config

Action = Literal["keep", "hash", "year", "family_initial", "initial", "drop"]
ACTIONS: tuple[str, ...] = ("keep", "hash", "year", "family_initial", "initial", "drop")

# Column name (in core.golden_customer and the marts) -> kind of personal data.
PERSONAL_COLUMNS: dict[str, str] = {
    "email": "email", "emails": "email",
    "phone": "phone", "phones": "phone",
    "id_number": "id_number", "identifiers": "id_number",
    "full_name": "name", "given_name": "given_name", "family_name": "family_name",
    "birth_date": "birth_date",
    "address_line1": "street", "address_line2": "street", "postcode": "postcode",
}

@dataclass(frozen=True)
class Consumer:
    name: str
    description: str
    tables: tuple[tuple[str, str], ...]
    masking: dict[str, Action] = field(default_factory=dict)  # kind of personal data -> action; unlisted: keep
    consent_only: bool = False  # only customers whose latest marketing-consent statement is yes
    formats: tuple[str, ...] = ("parquet",)  # add "csv" for tools that read nothing else

    @property
    def masked(self) -> bool:
        return any(action != "keep" for action in self.masking.values())


def declared_consumers(declared: dict[str, dict] | None = None) -> tuple[Consumer, ...]:
    """The consumers of pipelines/config.py (EXPORT_CONSUMERS), checked: an unknown action or table
    shape fails at load rather than exporting something unmasked."""
    out = []
    for name, spec in (config.EXPORT_CONSUMERS if declared is None else declared).items():
        masking = dict(spec.get("masking", {}))
        wrong = {k: v for k, v in masking.items() if v not in ACTIONS}
        if wrong:
            raise ValueError(f"export consumer {name}: unknown masking actions {wrong}; use one of {', '.join(ACTIONS)}")
        unknown = set(masking) - set(PERSONAL_COLUMNS.values())
        if unknown:
            raise ValueError(f"export consumer {name}: unknown kinds of personal data {sorted(unknown)}")
        out.append(Consumer(name, spec.get("description", ""), tuple(tuple(t.split(".", 1)) for t in spec["tables"]),
                            masking, bool(spec.get("consent_only", False)),
                            tuple(spec.get("formats", config.EXPORT_FORMATS))))
    return tuple(out)


CONSUMERS = declared_consumers()


def consumer(name: str) -> Consumer:
    for candidate in CONSUMERS:
        if candidate.name == name:
            return candidate
    raise KeyError(f"no consumer named {name!r}; declared: {', '.join(c.name for c in CONSUMERS)}")
