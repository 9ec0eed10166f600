"""Throttling: request limits per client and account (Flask-Limiter), and the
login lockout per account, both counted in the site's one database."""
