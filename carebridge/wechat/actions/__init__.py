"""Writes of the WeChat layer, one module per area; every multi-step change is one transaction."""
