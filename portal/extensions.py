"""Extension objects, created here and bound to the app in ``create_app``. Nothing else lives here."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData

from tenants.orm import TenantSession

# Constraint names are fixed so that Alembic migrations are the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(
    metadata=MetaData(naming_convention=NAMING_CONVENTION),
    session_options={"class_": TenantSession},
)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
#: Rate limits count in Redis when it is configured; while Redis cannot be reached they are counted in this
#: process instead (Flask-Limiter logs "falling back to in-memory storage"), and go back to Redis when it
#: answers again. A storage failure never fails the request: signing in works with Redis down.
limiter = Limiter(key_func=get_remote_address, default_limits=[], in_memory_fallback_enabled=True, swallow_errors=True)
