"""Bought external company registry: official names, unified social credit codes, industry, size."""

from assets.ingest.factory import file_ingest_asset
from assets.ingest.spec import FileSource

SOURCE = FileSource(
    name="company_registry",
    pattern="company_registry*.json",
    format="json",
    record_id="uscc",
    required=("company_name", "industry", "size"),
    description="External company registry records (JSON), keyed by unified social credit code.",
    columns={
        "company_name": "Registered company name.",
        "uscc": "Unified social credit code (18 characters).",
        "legal_representative": "Legal representative.",
        "registered_capital": "Registered capital, as written.",
        "established": "Date established.",
        "industry": "Industry.",
        "size": "Company size (微型/小型/中型/大型).",
        "province": "Province.",
        "city": "City.",
        "address": "Registered address.",
        "phone": "Switchboard phone.",
    },
    personal={"uscc": "id_number", "phone": "phone"},
)

raw_company_registry = file_ingest_asset(SOURCE)
