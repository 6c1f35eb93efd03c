"""Service desk tickets: consultations, complaints and repairs, as JSON lines."""

from assets.ingest.factory import file_ingest_asset
from assets.ingest.spec import FileSource

SOURCE = FileSource(
    name="service_tickets",
    pattern="service_tickets*.jsonl",
    format="jsonl",
    record_id="ticket_id",
    required=("customer_name", "phone", "email", "type", "opened_at"),
    description="Service tickets (consultation, complaint, repair) with contact details and open/resolve times.",
    columns={
        "ticket_id": "Ticket id.",
        "customer_name": "Name the customer gave.",
        "phone": "Contact phone, any format.",
        "email": "Contact email.",
        "cust_no": "ERP customer number, when the agent looked it up.",
        "type": "consultation, complaint or repair.",
        "channel": "phone, email, wechat or web.",
        "subject": "Ticket subject.",
        "status": "open, resolved or closed.",
        "priority": "Ticket priority.",
        "opened_at": "Opened at, ISO 8601 with offset.",
        "resolved_at": "Resolved at, ISO 8601 with offset; null while open.",
    },
    personal={"phone": "phone", "email": "email"},
    references={"cust_no": "erp_customers"},
)

raw_service_tickets = file_ingest_asset(SOURCE)
