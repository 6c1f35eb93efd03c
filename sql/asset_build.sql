SELECT fingerprint, run_id FROM quality.asset_builds WHERE asset = $asset;
