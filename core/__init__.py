"""What both apps share, and nothing that names either of them.

At the top, the web plumbing: the base factory, configuration, the database,
extensions, error pages, filters, redirects. Below it, one folder per concern:
``accounts/`` (users and follows), ``mail/`` (the outbox and its delivery),
``contexts/`` (the tracer and the teaching scenario) and ``routing/`` (route
tables across mounts).
"""
