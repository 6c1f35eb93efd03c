"""Sales-system contact export: a GBK CSV with Chinese headers, owner, tags, lifecycle and consent."""

from assets.ingest.factory import file_ingest_asset
from assets.ingest.spec import FileSource

SOURCE = FileSource(
    name="crm_contacts",
    pattern="crm_contacts*.csv",
    format="csv",
    encoding="gbk",
    record_id="联系人编号",
    required=("姓名", "手机", "邮箱"),
    description="Contacts exported from the sales system, as delivered (GBK CSV), one row per contact per export.",
    columns={
        "联系人编号": "Contact id in the sales system.",
        "姓名": "Contact name, as typed by sales.",
        "性别": "Gender as typed (男/女/M/F...).",
        "手机": "Mobile phone, any format.",
        "电话": "Landline, any format.",
        "邮箱": "Email, as typed.",
        "公司": "Company name, as typed.",
        "职位": "Job title.",
        "省份": "Province, any spelling.",
        "城市": "City.",
        "地址": "Street address.",
        "邮编": "Postcode.",
        "生日": "Birthday, any date format.",
        "负责人": "Sales owner.",
        "标签": "Tags separated by ';'.",
        "生命周期阶段": "Lifecycle stage as recorded by sales.",
        "营销同意": "Marketing consent (是/否/blank).",
        "同意时间": "When the consent in 营销同意 was given or withdrawn (e.g. 2024/05/01 10:00); blank when 营销同意 is. "
                "Optional: older exports lack the column.",
        "创建时间": "Created at, any format.",
        "更新时间": "Updated at, any format.",
    },
    personal={"手机": "phone", "电话": "phone", "邮箱": "email"},
)

raw_crm_contacts = file_ingest_asset(SOURCE)
