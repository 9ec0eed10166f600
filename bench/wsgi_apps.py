"""WSGI entry points for the HTTP benchmark: the frontend alone, to compare
with ``dispatcher:application`` (the same frontend under the dispatcher)."""

import frontend

frontend_alone = frontend.create_app()
