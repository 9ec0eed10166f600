"""Extension instances shared by both apps, each bound per app by the factory."""

from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()  # a CSRF token in every form, checked on every POST
