"""Mail delivery: the outbox table, the threads that deliver it over SMTP,
what an SMTP error means, and the development SMTP server."""
