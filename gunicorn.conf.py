"""gunicorn reads this file from the project folder: it runs the mail delivery.

Each worker starts its outbox delivery threads once it has loaded
``dispatcher:application``, so mail left pending by an earlier run goes out
without waiting for a request, and stops them when it exits (SIGTERM, a
restart), letting the message in flight finish. Claims are atomic, so any
number of workers share one outbox.
"""


def post_worker_init(worker):
    """Start this worker's delivery threads."""
    from core.mail import workers

    workers.start_all()


def worker_exit(server, worker):
    """Stop this worker's delivery threads cleanly."""
    from core.mail import workers

    workers.stop_all()
