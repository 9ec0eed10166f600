"""gunicorn reads this file from the project folder: it runs the outbox senders.

Each worker starts the senders once it has loaded ``dispatcher:application``,
so mail left pending by an earlier run goes out without waiting for a request,
and stops them when it exits (SIGTERM, a restart), letting the message in
flight finish. Claims are atomic, so any number of workers share one outbox.
"""


def post_worker_init(worker):
    """Start this worker's senders."""
    from core import sender

    sender.start_all()


def worker_exit(server, worker):
    """Stop this worker's senders cleanly."""
    from core import sender

    sender.stop_all()
