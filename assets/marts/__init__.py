"""Marts: what the business asks of its customers, one table per question, keyed by golden id."""

from assets.marts.churn import customer_churn_risk_asset
from assets.marts.clv import customer_clv_asset
from assets.marts.customer_360 import customer_360
from assets.marts.satisfaction import customer_satisfaction_asset
from assets.marts.segments import customer_segment_asset

mart_assets = [customer_churn_risk_asset, customer_segment_asset, customer_satisfaction_asset, customer_clv_asset,
               customer_360]
