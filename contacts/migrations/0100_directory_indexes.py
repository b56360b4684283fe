"""Indexes for the directory page (contacts/filters.py), made with SQL so the models' state
stays as contacts/models.py declares it.

- person_directory_name: the default order, by the name people are filed under
  (`filters.name_key`: the sort name, or the full name when blank) then id. On PostgreSQL
  the key uses the ICU root collation, so the index walk is the sort and paging reads only
  the rows it shows.
- person_recently_updated: the "recently updated" order.
"""

from django.db import migrations

POSTGRESQL = [
    (
        "CREATE INDEX IF NOT EXISTS person_directory_name ON contacts_person "
        "((COALESCE(NULLIF(sort_name, ''), name) COLLATE \"und-x-icu\"), id)",
        "DROP INDEX IF EXISTS person_directory_name",
    ),
    (
        "CREATE INDEX IF NOT EXISTS person_recently_updated ON contacts_person "
        "(updated_at DESC, id DESC)",
        "DROP INDEX IF EXISTS person_recently_updated",
    ),
]
SQLITE = [
    (
        "CREATE INDEX IF NOT EXISTS person_directory_name ON contacts_person "
        "(LOWER(COALESCE(NULLIF(sort_name, ''), name)), id)",
        "DROP INDEX IF EXISTS person_directory_name",
    ),
    POSTGRESQL[1],
]


def _statements(schema_editor) -> list[tuple[str, str]]:
    return POSTGRESQL if schema_editor.connection.vendor == "postgresql" else SQLITE


def create_indexes(apps, schema_editor):
    for create, _drop in _statements(schema_editor):
        schema_editor.execute(create)


def drop_indexes(apps, schema_editor):
    for _create, drop in _statements(schema_editor):
        schema_editor.execute(drop)


class Migration(migrations.Migration):
    dependencies = [("contacts", "0002_search_index")]
    operations = [migrations.RunPython(create_indexes, drop_indexes)]
