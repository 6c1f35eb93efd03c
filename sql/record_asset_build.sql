INSERT OR REPLACE INTO quality.asset_builds (asset, fingerprint, run_id, built_at)
VALUES ($asset, $fingerprint, $run_id, now());
