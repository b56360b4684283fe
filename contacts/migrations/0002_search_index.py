from django.db import migrations


def create_index(apps, schema_editor):
    # GIN over the stored tsvector: the directory's free-text search. PostgreSQL only;
    # SQLite searches the plain search_document instead.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS person_search_vector ON contacts_person USING gin (search_vector)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS person_search_vector")


class Migration(migrations.Migration):
    dependencies = [("contacts", "0001_initial")]
    operations = [migrations.RunPython(create_index, drop_index)]
