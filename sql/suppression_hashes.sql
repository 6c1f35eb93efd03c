SELECT hash FROM quality.suppression;
