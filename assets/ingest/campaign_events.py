"""Marketing campaign events (sent, open, click, convert) from the marketing tool, as Parquet."""

from assets.ingest.factory import file_ingest_asset
from assets.ingest.spec import FileSource

SOURCE = FileSource(
    name="campaign_events",
    pattern="campaign_events*.parquet",
    format="parquet",
    record_id="event_id",
    required=("campaign_id", "event_type", "event_time"),
    description="Campaign touch events: one row per sent, open, click or convert.",
    columns={
        "event_id": "Event id.",
        "campaign_id": "Campaign id.",
        "campaign_name": "Campaign name.",
        "channel": "email, sms or wechat.",
        "email": "Recipient email, if the channel is email.",
        "phone": "Recipient phone, if the channel is sms.",
        "event_type": "sent, open, click or convert.",
        "event_time": "When it happened (UTC).",
    },
    personal={"email": "email", "phone": "phone"},
)

raw_campaign_events = file_ingest_asset(SOURCE)
