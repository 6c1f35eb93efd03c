"""Which entity appears in which system, and how often.

Every entity is in the ERP, the CRM or both (a customer nobody recorded
would not exist for us); some are entered twice by mistake, which is the
duplicate-record problem entity resolution has to undo.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class PresenceParams:
    erp: float = 0.70            # P(entity has an ERP customer row)
    crm: float = 0.50            # P(entity has a CRM contact)
    erp_duplicate: float = 0.08  # second ERP row for the same entity
    crm_duplicate: float = 0.08  # second CRM contact for the same entity


def presence(rng: np.random.Generator, n: int, p: PresenceParams = PresenceParams()) -> tuple[np.ndarray, np.ndarray]:
    """Rows per entity in ERP customers and CRM contacts (0, 1 or 2 each).

    ERP-only, both and CRM-only are drawn so the marginals are p.erp and
    p.crm while nobody is in neither.
    """
    both = max(p.erp + p.crm - 1.0, 0.0)
    u = rng.random(n)
    in_erp = u < p.erp
    in_crm = (u >= p.erp - both)
    n_erp = in_erp * (1 + (rng.random(n) < p.erp_duplicate))
    n_crm = in_crm * (1 + (rng.random(n) < p.crm_duplicate))
    return n_erp.astype(np.int64), n_crm.astype(np.int64)
