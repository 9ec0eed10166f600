"""Extension instances shared by both apps, each bound per app by the factory."""

from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from core.mail.smtp import Mail

# Named constraints, so that migrations can find them again (SQLite's batch
# mode rebuilds tables and needs the names).
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Model(DeclarativeBase):
    """The base of every model: one metadata for the one database."""

    metadata = MetaData(naming_convention=NAMING)


csrf = CSRFProtect()  # a CSRF token in every form, checked on every POST
# One session per app context; objects stay readable after their commit.
db = SQLAlchemy(model_class=Model, session_options={"expire_on_commit": False})
mail = Mail()  # Flask-Mail, with a timeout on its SMTP connections
