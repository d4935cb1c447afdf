"""Authorities (the tenants), their organisations and the duties their settings name."""
