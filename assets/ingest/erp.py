"""The internal ERP: customers, products, orders and order lines, read through its database URL."""

from assets.ingest.factory import erp_ingest_asset
from assets.ingest.spec import ErpTable

CUSTOMERS = ErpTable(
    name="erp_customers",
    table="customers",
    record_id="cust_no",
    required=("cust_type", "name", "mobile", "email"),
    description="ERP customer master (persons and companies), every version of every row as first seen.",
    columns={
        "cust_no": "ERP customer number.",
        "cust_type": "P person, C company.",
        "name": "Customer name (person or company).",
        "gender": "Gender as entered.",
        "birthday": "Birthday, as entered.",
        "id_number": "Resident ID (person) or unified social credit code (company).",
        "mobile": "Mobile phone, as entered.",
        "tel": "Landline, as entered.",
        "email": "Email, as entered.",
        "country": "Country.",
        "province": "Province.",
        "city": "City.",
        "district": "District.",
        "street": "Street.",
        "street_number": "Street number.",
        "zip": "Postcode.",
        "company": "Company name (for persons: employer).",
        "industry": "Industry.",
        "company_size": "Company size.",
        "job_title": "Job title.",
        "created_at": "Created in the ERP.",
        "updated_at": "Last updated in the ERP.",
        "mkt_consent": "Marketing consent: Y, N, or NULL when the customer was never asked. "
                       "Optional: older ERP versions lack the column.",
        "mkt_consent_at": "When the consent in mkt_consent was given or withdrawn (e.g. 2024-05-01 10:00:00); "
                          "NULL when mkt_consent is. Optional, as mkt_consent.",
    },
    personal={"mobile": "phone", "tel": "phone", "email": "email", "id_number": "id_number"},
)

PRODUCTS = ErpTable(
    name="erp_products",
    table="products",
    record_id="product_id",
    required=("sku", "name", "category", "unit_price"),
    description="ERP product catalogue.",
    columns={"product_id": "Product id.", "sku": "SKU.", "name": "Product name.", "category": "Category.",
             "unit_price": "List price."},
)

ORDERS = ErpTable(
    name="erp_orders",
    table="orders",
    record_id="order_id",
    required=("cust_no", "order_date", "status", "currency", "total_amount"),
    description="ERP order headers: who bought, when, how much, in which currency.",
    columns={"order_id": "Order id.", "cust_no": "ERP customer number.", "order_date": "Order time.",
             "status": "paid, cancelled or refunded.", "currency": "ISO currency code.",
             "total_amount": "Order total.", "channel": "Sales channel."},
    references={"cust_no": "erp_customers"},
)

ORDER_ITEMS = ErpTable(
    name="erp_order_items",
    table="order_items",
    record_id=("order_id", "line_no"),
    required=("product_id", "quantity", "unit_price", "amount"),
    description="ERP order lines; the record id is order_id:line_no.",
    columns={"order_id": "Order id.", "line_no": "Line number within the order.", "product_id": "Product id.",
             "quantity": "Quantity.", "unit_price": "Unit price.", "amount": "Line amount."},
    references={"order_id": "erp_orders"},
)

raw_erp_customers = erp_ingest_asset(CUSTOMERS)
raw_erp_products = erp_ingest_asset(PRODUCTS)
raw_erp_orders = erp_ingest_asset(ORDERS)
raw_erp_order_items = erp_ingest_asset(ORDER_ITEMS)
