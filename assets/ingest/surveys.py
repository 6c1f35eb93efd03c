"""Satisfaction surveys: CSAT (1-5) and NPS (0-10) responses."""

from assets.ingest.factory import file_ingest_asset
from assets.ingest.spec import FileSource

SOURCE = FileSource(
    name="surveys",
    pattern="surveys*.csv",
    format="csv",
    encoding="auto",
    record_id="response_id",
    required=("respondent_email", "respondent_phone", "survey_date", "csat", "nps"),
    description="Survey responses: CSAT on 1-5 and NPS on 0-10, linked to a ticket or order where known.",
    columns={
        "response_id": "Survey response id.",
        "respondent_email": "Respondent email.",
        "respondent_phone": "Respondent phone.",
        "ticket_id": "Ticket the survey followed, if any.",
        "order_id": "Order the survey followed, if any.",
        "survey_date": "Date answered.",
        "csat": "Customer satisfaction, 1-5.",
        "nps": "Likelihood to recommend, 0-10.",
        "comment": "Free-text comment.",
    },
    personal={"respondent_email": "email", "respondent_phone": "phone"},
    references={"ticket_id": "service_tickets", "order_id": "erp_orders"},
)

raw_surveys = file_ingest_asset(SOURCE)
