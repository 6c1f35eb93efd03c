SELECT role, model, settings, fitted_run, fitted_on, records_at_fit, changed_since_fit FROM core.match_model ORDER BY role;
