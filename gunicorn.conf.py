"""gunicorn reads this file from the project folder: it runs the site's services.

The master loads ``dispatcher:application`` once and forks the workers from
it. Each worker starts the site's services (mail delivery, the periodic
jobs) as soon as it is forked, so mail left pending by an earlier run goes
out without waiting for a request, and stops them when it exits (SIGTERM,
a restart), letting the message in flight finish. Claims are atomic, so any
number of workers share one outbox.
"""

# Threads, not sync workers: a sync worker reads one request at a time, so a
# client sending its body a byte a second holds the whole worker (two such
# clients stalled `gunicorn -w 2`). A gthread worker loses one thread of its
# eight. The command line overrides both (-k, --threads).
worker_class = "gthread"
threads = 8

# The site is built and prepared once, in gunicorn's master, and each worker
# is forked from it: a worker imports and builds nothing (with -w 4, gunicorn
# started on 2.0 s of CPU instead of 5.4) and shares the code's memory, and
# a site that cannot start (an outdated schema) stops gunicorn at once
# instead of failing in each worker. Preparing closes its connections
# (core/prepare.py), and building it keeps what it built out of the garbage
# collector's full passes (core.serving.settle) before the fork; the
# services start in each worker, below. A new version of the code needs a
# restart, not a HUP.
preload_app = True


def _graceful_timeout():
    """Seconds a worker may take to stop: gunicorn's 30, or longer where the
    worker delivers mail."""
    from core.config import from_environment
    from frontend import DEFAULTS

    settings = from_environment("FRONTEND", DEFAULTS)
    if not settings["MAIL_DELIVERY"]:
        return 30
    # A delivery thread lets the message in flight be answered: its commands
    # (MAIL_TIMEOUT), then the reply to its body (MAIL_DATA_TIMEOUT, 600 s).
    # gunicorn kills a worker still running after graceful_timeout, and a
    # message killed while the server took it would go out again.
    return max(30, settings["MAIL_DATA_TIMEOUT"] + settings["MAIL_TIMEOUT"])


graceful_timeout = _graceful_timeout()


def post_worker_init(worker):
    """Start this worker's services."""
    import dispatcher

    dispatcher.site.services.start()


def worker_exit(server, worker):
    """Stop this worker's services cleanly."""
    import dispatcher

    dispatcher.site.services.stop()
