"""The migration that adds rules' stored match key fills it for rules stored before it."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def _key_migration(executor: MigrationExecutor) -> tuple[str, str]:
    [node] = [
        key
        for key in executor.loader.graph.nodes
        if key[0] == "pronunciations" and key[1].endswith("rule_key")
    ]
    return node


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_the_key_of_existing_rules_with_validations_key() -> None:
    """Issue 11 item 5: rules stored before the key column get the key validation compares."""
    executor = MigrationExecutor(connection)
    target = _key_migration(executor)
    [before] = executor.loader.graph.node_map[target].parents
    executor.migrate([before.key])
    old = MigrationExecutor(connection).loader.project_state([before.key]).apps
    organization = old.get_model("orgs", "Organization").objects.create(
        public_id="org_migration", slug="migration", name="Migration"
    )
    dictionary = old.get_model("pronunciations", "Dictionary").objects.create(
        organization=organization, name="d", normalized_name="d", content_hash="sha256:x"
    )
    rules = old.get_model("pronunciations", "Rule").objects
    for position, match in enumerate(["İstanbul", "Straße  Ost", "ACH"]):
        rules.create(
            dictionary=dictionary, mode="rewrite", position=position, match=match, value="v"
        )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    with connection.cursor() as cursor:
        cursor.execute('SELECT "match", "key" FROM "pronunciations_rule" ORDER BY "position"')
        assert cursor.fetchall() == [
            ("İstanbul", "i̇stanbul"),
            ("Straße  Ost", "strasse ost"),
            ("ACH", "ach"),
        ]
