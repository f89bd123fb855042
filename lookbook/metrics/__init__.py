"""Evaluation metrics: classification reports and generation quality (FCD, KID, recognisability, coverage) without downloads."""
