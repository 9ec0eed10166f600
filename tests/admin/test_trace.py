"""The admin's picture of the context stack over time."""

import re

import pytest

from harness.accounts import AdminAccount

BAR = re.compile(
    r'<g class="bar (\w+) (\w+)" data-app="\w+" data-kind="\w+" data-depth="(\d)"'
)


PICTURE = re.compile(r'<(?:section|details) class="trace">')


def pictures(html):
    """The page's pictures: the path's (a section), the scenario's (folded)."""
    return PICTURE.split(html)[1:]


def bars(html):
    """The (app, kind, depth) of each bar drawn, per picture, in drawing order."""
    return [BAR.findall(section) for section in pictures(html)]


def test_needs_the_admin_login(site_client):
    response = site_client.get("/admin/trace")
    assert response.status_code == 302


def test_draws_a_frontend_request_and_the_scenario(both_logged_in):
    html = both_logged_in.get("/admin/trace?path=/user/alice").get_data(as_text=True)
    assert "GET /user/alice through the combined site: 200 OK" in html
    request_bars, scenario_bars = bars(html)
    assert request_bars == [("frontend", "app", "1"), ("frontend", "request", "2")]
    assert ("admin", "request", "4") in scenario_bars
    assert len(scenario_bars) == 11  # steps 1-4: 4, steps 5-6: 5, step 7: 2
    assert "http://localhost/user/alice" in html


def test_the_scenario_says_why_the_trap_builds_the_frontends_urls(both_logged_in):
    html = both_logged_in.get("/admin/trace").get_data(as_text=True)
    scenario = pictures(html)[1]
    assert "(33 events: open it)</summary>" in scenario  # folded: any path's
    marks = re.findall(r'<li class="mark">(.*?)</li>', scenario, re.S)
    trap = marks.index(
        "5. The trap: in a frontend request, push only the admin&#39;s app"
    )
    [why] = [m for m in marks[trap:] if m.startswith("Why: url_for asks the active")]
    # The values make trace prints are on the page too (they were not).
    between = marks[trap : marks.index(why)]
    assert "url_for(&#39;hello&#39;) -&gt; /hello" in between
    assert "current_app -&gt; admin" in between
    # Between the two marks: the frontend's request, then the admin's app only.
    step_five = scenario.split(marks[trap])[1].split(why)[0]
    pushes = re.findall(r"push (\w+) context of <strong>(\w+)", step_five)
    assert pushes == [("app", "frontend"), ("request", "frontend"), ("app", "admin")]


def test_traces_an_admin_page_with_the_visitors_login(both_logged_in):
    html = both_logged_in.get("/admin/trace?path=/admin/context").get_data(True)
    assert "GET /admin/context through the combined site: 200 OK" in html
    assert bars(html)[0] == [("admin", "app", "1"), ("admin", "request", "2")]


def test_the_trace_page_takes_an_endpoint_name_or_a_url_and_a_method(
    both_logged_in,
):
    # It took a path only: "hello" or a full URL gave a bare 400 page.
    html = both_logged_in.get("/admin/trace?path=hello").get_data(True)
    assert "GET /hello through the combined site: 200 OK" in html
    assert "Each app has its own &#39;hello&#39;: admin&#39;s is /admin/hello." in html
    url = "/admin/trace?path=http://localhost/admin/users&method=POST"
    html = both_logged_in.get(url).get_data(True)
    assert "How POST /admin/users finds its view" in html
    assert "POST /admin/users through the combined site: 405" in html


def test_a_mistake_is_explained_with_the_form_kept(both_logged_in):
    response = both_logged_in.get("/admin/trace?path=user.profile")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "frontend&#39;s user.profile needs nickname: type a path instead." in page
    assert 'value="user.profile"' in page
    assert "The nested scenario" in page  # the rest of the page still teaches


@pytest.mark.parametrize("path", ["/admin/trace", "/admin/%74race?path=/hello"])
def test_the_page_never_traces_itself(both_logged_in, path):
    # The traced request reaches this page again, which refuses it: no loop.
    response = both_logged_in.get("/admin/trace", query_string={"path": path})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "through the combined site: 400 BAD REQUEST" in html


def test_the_admin_alone_traces_its_own_requests(admin_client):
    # No dispatcher: the admin was built without the site's other mounts.
    AdminAccount(admin_client, prefix="").login()
    html = admin_client.get("/trace").get_data(as_text=True)
    assert "GET /admin/hello through the combined site: 200 OK" in html
    [request_bars] = bars(html)
    assert request_bars == [("admin", "app", "1"), ("admin", "request", "2")]
    assert "The nested scenario needs a second app" in html


def test_the_admin_alone_answers_other_paths_with_404(admin_client):
    AdminAccount(admin_client, prefix="").login()
    html = admin_client.get("/trace?path=/hello").get_data(as_text=True)
    assert "GET /hello through the combined site: 404 NOT FOUND" in html
    assert bars(html) == [[]]
