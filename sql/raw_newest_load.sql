SELECT max(_loaded_at) FROM {raw};
