"""Rate limits kept in Redis (``FLASK_RATELIMIT_STORAGE_URI=redis://...``):
two servers count together, and while Redis is away the site still
answers, each process counting alone, with the lockout in the database."""

import pytest
import redis

from harness.accounts import csrf_token
from harness.local import free_port
from harness.redis import RedisServer, find_server
from harness.servers import Browser, gunicorn_command, running, serve_command
from tests.helpers import unavailable

FROM_CLIENT = "Too many failed logins from your address"
LOCKED = "Too many failed logins for this account"


@pytest.fixture(scope="module")
def redis_server():
    """A Redis server of the module's own; CI requires one (REQUIRE_REDIS=1)."""
    program = find_server()
    if program is None:
        unavailable("REQUIRE_REDIS", "redis-server is not installed (.ci/run does)")
    server = RedisServer(program)
    server.start()
    yield server
    server.remove()


def log_in(base, address, nickname, password):
    """A login from ``address``; return (status, page)."""
    browser = Browser(base, address=address)
    _, _, page = browser.request("/login")
    data = {"csrf_token": csrf_token(page), "nickname": nickname, "password": password}
    status, _, page = browser.request("/login", data)
    return status, page


@pytest.mark.usefixtures("migrated_instance")
def test_two_servers_count_in_redis_and_answer_while_it_is_away(tmp_path, redis_server):
    env = {
        "FLASK_INSTANCE_PATH": str(tmp_path),  # one SQLite file and key pair
        "FLASK_PROXY_HOPS": "1",
        "FLASK_RATELIMIT_STORAGE_URI": redis_server.url,
    }
    ports = free_port(), free_port()
    one = running(serve_command(ports[0]), env, tmp_path / "1.log", ports[0])
    two = running(gunicorn_command(ports[1], 1), env, tmp_path / "2.log", ports[1])
    with one as first, two as second:
        bases = [first, second]
        # Ten failed logins from one address, taking turns between servers:
        # the eleventh is refused by either, so they counted together.
        for n in range(10):
            assert log_in(bases[n % 2], "10.9.0.1", f"nobody{n}", "guess")[0] == 400
        for base in bases:
            status, page = log_in(base, "10.9.0.1", "nobody", "guess")
            assert (status, FROM_CLIENT in page) == (429, True)
        assert redis.Redis(port=redis_server.port).keys("*LIMITER/frontend/*")
        redis_server.stop()
        # Redis away: each process counts in its memory (Flask-Limiter's
        # in-memory fallback), and the pages answer.
        for base in bases:
            assert log_in(base, "10.9.0.2", "nobody", "guess")[0] == 400
            assert Browser(base).request("/hello")[0] == 200
        # The lockout counts in the database, Redis or not.
        for n in range(10):
            log_in(bases[n % 2], f"10.9.1.{n}", "bob", f"guess-{n}")
        status, page = log_in(second, "10.9.2.1", "bob", "guess")
        assert (status, LOCKED in page) == (429, True)
        redis_server.start()
    logs = (tmp_path / "1.log").read_text() + (tmp_path / "2.log").read_text()
    assert "Traceback" not in logs
