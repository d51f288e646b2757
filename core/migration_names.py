"""The names of the migrations in core/migrations.py, in order (a test keeps them equal).

Opening an up-to-date file compares these with the names recorded in it, so the common
start-up neither imports sqlite-utils nor the migrations module. Append a name here when you
append a migration there.
"""

MIGRATION_NAMES: tuple[str, ...] = (
    "m001_profiles_facts",
    "m002_documents_reminders_costs",
    "m003_reminder_revision",
    "m004_scenarios",
    "m005_programs",
    "m006_reminder_timing",
    "m007_reminder_notified",
    "m008_profile_versions",
)
