"""Public pages (accessibility statement, privacy notice, cookies) and the error pages."""
