"""Pipeline config history (every version kept, delete keeps history), applications, audit."""

from __future__ import annotations

from gennaker.store import Database, audit
from gennaker.store import configs as repo


def test_every_version_is_kept_and_deletion_keeps_history(db: Database) -> None:
    with db.write() as conn:
        assert (
            repo.save_config(conn, "c1", {"application": "a", "name": "p", "v": 1}, now=1, principal="u1")
            == 1
        )
        assert (
            repo.save_config(conn, "c1", {"application": "a", "name": "p", "v": 2}, now=2, principal="u2")
            == 2
        )
    with db.read() as conn:
        assert repo.get_config(conn, "c1") == {"application": "a", "name": "p", "v": 2}
        assert repo.find_config(conn, "A", "p") is not None
        assert [v.body["v"] for v in repo.config_history(conn, "c1") if v.body] == [2, 1]
    with db.write() as conn:
        assert repo.delete_config(conn, "c1", now=3, principal="u3")
    with db.read() as conn:
        assert repo.get_config(conn, "c1") is None
        history = repo.config_history(conn, "c1")
        assert [(v.version, v.action, v.saved_by) for v in history] == [
            (3, "delete", "u3"),
            (2, "save", "u2"),
            (1, "save", "u1"),
        ]
        assert repo.config_version(conn, "c1", 1).body == {"application": "a", "name": "p", "v": 1}  # type: ignore[union-attr]


def test_applications_and_audit(db: Database) -> None:
    with db.write() as conn:
        assert repo.upsert_application(conn, "App", {"name": "app"}, now=1, principal="u") is True
        assert (
            repo.upsert_application(conn, "app", {"name": "app", "email": "x@y"}, now=2, principal="u")
            is False
        )
        audit.record(
            conn,
            principal="u",
            action="application.update",
            target_type="application",
            target_id="app",
            application="app",
        )
    with db.read() as conn:
        assert repo.get_application(conn, "APP") == {"name": "app", "email": "x@y"}
        assert [e.action for e in audit.entries(conn, application="app")] == ["application.update"]
