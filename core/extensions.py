"""Extension instances shared by both apps, each bound per app by the factory."""

from flask_wtf.csrf import CSRFProtect

from core.mail.smtp import Mail

csrf = CSRFProtect()  # a CSRF token in every form, checked on every POST
mail = Mail()  # Flask-Mail, with a timeout on its SMTP connections
