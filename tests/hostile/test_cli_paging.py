"""Pages that do not fit together, each named for what it is, through ``hbr-clients``.

A wrong echoed page fails at once (retrying cannot help); a short page or a repeated ID is
retried like a fleet change and then named as what it is; a server that ignores
``PageSize`` but answers completely and consistently is accepted.
"""

from __future__ import annotations

import json

from tests.hostile.conftest import Scripted, run_cli
from tests.hostile.servers import CLIENT, Reply, answer, page_of, paged_answer


def _ids(run_stdout: str) -> list[str]:
    return [c["client_id"] for c in json.loads(run_stdout)]


def test_single_page_answered_with_another_page_fails(scripted: Scripted) -> None:
    """``--page-number 2`` answered with ``PageNumber: 1`` exits 3 naming both, sent once."""
    server = scripted(script=lambda _n, _p: Reply.json(paged_answer(1, total=30, page_size=10)))
    run = run_cli(server.endpoint, "--page-number", "2", "--page-size", "10")
    assert run.returncode == 3, run.stderr
    assert run.stdout == ""
    assert "page 2 was asked for and the answer says PageNumber 1" in run.stderr
    assert "does not honour PageNumber" in run.stderr
    assert "changed" not in run.stderr
    assert len(server.requests) == 1


def test_every_page_answered_as_page_one_fails_at_once(scripted: Scripted) -> None:
    """A server that ignores PageNumber in a full listing fails on page 2, not after retries."""
    server = scripted(script=lambda _n, _p: Reply.json(paged_answer(1, total=150)))
    run = run_cli(server.endpoint)
    assert run.returncode == 3, run.stderr
    assert "page 2 was asked for and the answer says PageNumber 1" in run.stderr
    assert len(server.requests) == 2


def test_all_clients_on_page_one_is_accepted(scripted: Scripted) -> None:
    """150 clients on page 1 with TotalCount 150 (PageSize ignored) is the whole answer."""
    clients = [{**CLIENT, "ClientId": f"c-all-{n}", "InstanceId": f"i-{n}"} for n in range(150)]
    server = scripted(script=lambda _n, _p: Reply.json(answer(clients, PageSize=150)))
    run = run_cli(server.endpoint)
    assert run.returncode == 0, run.stderr
    assert _ids(run.stdout) == [f"c-all-{n}" for n in range(150)]
    assert len(server.requests) == 1


def test_page_one_larger_than_asked_but_incomplete_is_refused(scripted: Scripted) -> None:
    """120 clients on page 1 of TotalCount 150 fit no paging: named as a short page."""
    clients = [{**CLIENT, "ClientId": f"c-big-{n}"} for n in range(120)]

    def script(_n: int, path: str) -> Reply:
        if page_of(path) == 1:
            return Reply.json(answer(clients, TotalCount=150))
        return Reply.json(paged_answer(page_of(path), total=150))

    run = run_cli(scripted(script=script).endpoint)
    assert run.returncode == 3, run.stderr
    assert "page 1 of 2 holds 120 clients where TotalCount 150 and PageSize 99 make 99" in (
        run.stderr
    )


def test_duplicate_across_pages_is_named_duplicate(scripted: Scripted) -> None:
    """Page 2 repeating a client of page 1 exits 3 naming the ID, after the retries."""

    def script(_n: int, path: str) -> Reply:
        page = paged_answer(page_of(path), total=150)
        if page_of(path) == 2:
            page["Clients"][0] = {**page["Clients"][0], "ClientId": "c-paged-1"}
        return Reply.json(page)

    server = scripted(script=script)
    run = run_cli(server.endpoint)
    assert run.returncode == 3, run.stderr
    assert "client c-paged-1 is listed twice" in run.stderr
    assert "after 3 attempts" in run.stderr
    assert "the same ID came back on two pages" in run.stderr
    assert len(server.requests) == 6


def test_short_middle_page_is_named_short(scripted: Scripted) -> None:
    """A middle page one client short exits 3 naming the page and the counts."""

    def script(_n: int, path: str) -> Reply:
        page = paged_answer(page_of(path), total=250)
        if page_of(path) == 2:
            page["Clients"] = page["Clients"][:-1]
        return Reply.json(page)

    server = scripted(script=script)
    run = run_cli(server.endpoint)
    assert run.returncode == 3, run.stderr
    assert "page 2 of 3 holds 98 clients where TotalCount 250 and PageSize 99 make 99" in (
        run.stderr
    )
    assert "came back shorter than PageSize" in run.stderr
    assert len(server.requests) == 9


def test_count_change_every_time_is_still_a_fleet_change(scripted: Scripted) -> None:
    """TotalCount moving on every attempt is what FleetChangedError names."""

    def script(number: int, path: str) -> Reply:
        total = 150 if page_of(path) == 1 else 151
        return Reply.json(paged_answer(page_of(path), total=total))

    run = run_cli(scripted(script=script).endpoint)
    assert run.returncode == 3, run.stderr
    assert "the fleet changed while it was being listed; gave up after 3 attempt(s)" in (run.stderr)
    assert "page 2 reports TotalCount 151, page 1 reported 150" in run.stderr
