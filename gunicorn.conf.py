"""gunicorn reads this file from the project folder: it runs the site's services.

Each worker starts the site's services (mail delivery, the periodic jobs)
once it has loaded ``dispatcher:application``, so mail left pending by an
earlier run goes out without waiting for a request, and stops them when it
exits (SIGTERM, a restart), letting the message in flight finish. Claims are
atomic, so any number of workers share one outbox.
"""

# Threads, not sync workers: a sync worker reads one request at a time, so a
# client sending its body a byte a second holds the whole worker (two such
# clients stalled `gunicorn -w 2`). A gthread worker loses one thread of its
# eight. The command line overrides both (-k, --threads).
worker_class = "gthread"
threads = 8


def _graceful_timeout():
    """Seconds a worker may take to stop: gunicorn's 30, or longer where the
    worker delivers mail."""
    from core.config import from_environment

    frontend = from_environment("FRONTEND", {"MAIL_DELIVERY": True})  # its default
    if not frontend["MAIL_DELIVERY"]:
        return 30
    # A delivery thread lets the message in flight be answered: its commands
    # (MAIL_TIMEOUT), then the reply to its body (MAIL_DATA_TIMEOUT, 600 s).
    # gunicorn kills a worker still running after graceful_timeout, and a
    # message killed while the server took it would go out again.
    return max(30, frontend["MAIL_DATA_TIMEOUT"] + frontend["MAIL_TIMEOUT"])


graceful_timeout = _graceful_timeout()


def post_worker_init(worker):
    """Start this worker's services."""
    import dispatcher

    dispatcher.site.services.start()


def worker_exit(server, worker):
    """Stop this worker's services cleanly."""
    import dispatcher

    dispatcher.site.services.stop()
