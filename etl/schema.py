"""The only declaration of the warehouse's tables.

Codes are text (region "01" is not 1). Categorical columns carry CHECK constraints rather than
database enums (Alembic sees neither, but CHECKs behave the same on SQLite and PostgreSQL).
Fact tables carry `batch_id`, the load batch that last wrote the row (lineage, and `impact
unload`), and `row_hash`, a digest of the row's values that tells an update from an unchanged
row on re-load.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean, CheckConstraint, Column, Date, DateTime, Float, ForeignKey, Index, Integer,
    MetaData, String, Table, Text, UniqueConstraint,
)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

LEGAL_FORMS = ("association", "fondation", "cooperative", "mutuelle", "entreprise_esus",
               "collectivite", "autre")
CAUSES = ("education", "sante", "environnement", "inclusion", "emploi", "culture",
          "solidarite_internationale", "autre")
TECH_TYPES = ("web_app", "mobile_app", "data_analysis", "algorithm_ai", "blockchain", "iot",
              "website", "other")
PROJECT_STATUSES = ("submitted", "selected", "in_progress", "delivered", "abandoned")
GENDERS = ("f", "m", "x", "undisclosed")
EVENT_TYPES = ("conference", "workshop", "hackathon", "forum", "webinar")
GUIDE_CHANNELS = ("download", "print", "event", "partner_mailing")
GUIDE_AUDIENCES = ("students", "schools", "organisations", "professionals", "other")
SURVEY_WAVES = ("pre", "post")
ORG_SURVEY_WAVES = ("end", "six_months")
IN_USE_ANSWERS = ("oui", "partiellement", "non")
ROLES = ("admin", "staff", "funder", "school")
BATCH_STATUSES = ("running", "loaded", "failed", "unloaded", "dry_run")
DELIVERY_RHYTHMS = ("month", "quarter", "publication")
DELIVERY_STATUSES = ("claimed", "sent", "failed")
LANGS = ("fr", "en")
LINEAGE_ACTIONS = ("added", "changed", "unchanged", "superseded")
COMMENTARY_SECTIONS = ("tour", "awareness", "outcomes", "guide")
KINDS = ("organisations", "projects", "students", "events", "guide", "survey", "org-survey")


def _in(column: str, values) -> CheckConstraint:
    allowed = ", ".join(f"'{v}'" for v in values)
    return CheckConstraint(f"{column} IN ({allowed})", name=f"{column}_allowed")


def _lineage():
    return (
        Column("batch_id", Integer, ForeignKey("load_batch.batch_id"), nullable=False,
               comment="Load batch that last wrote this row."),
        Column("row_hash", String(32), nullable=False,
               comment="Digest of the row's values, to tell updated from unchanged rows."),
    )


region = Table(
    "region", metadata,
    Column("region_code", String(2), primary_key=True, comment="INSEE region code, e.g. '84'."),
    Column("name", Text, nullable=False, comment="Official French name."),
    Column("zone", String(5), nullable=False, comment="'metro' or 'drom' (overseas)."),
    comment="The 18 French regions (reference data).",
)

school = Table(
    "school", metadata,
    Column("school_id", String(64), primary_key=True, comment="Stable slug, e.g. 'insa-lyon'."),
    Column("name", Text, nullable=False, comment="Official or usual name."),
    Column("short_name", Text, comment="Short name or acronym people write in forms."),
    Column("city", Text, comment="City of the main campus."),
    Column("region_code", String(2), ForeignKey("region.region_code"), nullable=False,
           comment="Region of the main campus."),
    Column("is_synthetic", Boolean, nullable=False, default=False,
           comment="True for schools the demo invents (national-scale demo)."),
    comment="Schools (reference list plus schools staff add).",
)

school_alias = Table(
    "school_alias", metadata,
    Column("alias_key", String(200), primary_key=True,
           comment="Normalised name (no accents, case or punctuation)."),
    Column("alias", Text, nullable=False, comment="The name as written by people."),
    Column("school_id", String(64), ForeignKey("school.school_id"), nullable=False,
           comment="School the alias stands for."),
    comment="Names under which a school is written in files.",
)

edition = Table(
    "edition", metadata,
    Column("edition", String(9), primary_key=True, comment="Academic year, e.g. '2024-2025'."),
    Column("start_date", Date, nullable=False, comment="1 September of the first year."),
    Column("end_date", Date, nullable=False, comment="31 August of the second year."),
    comment="Editions of the programme (academic years).",
)

organisation = Table(
    "organisation", metadata,
    Column("org_id", String(64), primary_key=True, comment="Natural key from the staff files."),
    Column("name", Text, nullable=False, comment="Organisation's name."),
    Column("legal_form", String(20), nullable=False, comment="Legal form of the organisation."),
    Column("cause", String(30), nullable=False, comment="Main cause it serves."),
    Column("city", Text, comment="City of the organisation."),
    Column("region_code", String(2), ForeignKey("region.region_code"), nullable=False,
           comment="Region of the organisation; a project's region is its organisation's."),
    *_lineage(),
    _in("legal_form", LEGAL_FORMS), _in("cause", CAUSES),
    comment="ESS organisations that submit projects.",
)

project = Table(
    "project", metadata,
    Column("project_id", String(64), primary_key=True, comment="Natural key."),
    Column("title", Text, nullable=False, comment="Project title."),
    Column("org_id", String(64), ForeignKey("organisation.org_id"), nullable=False,
           comment="Organisation the project is built for."),
    Column("school_id", String(64), ForeignKey("school.school_id"), comment="Students' school."),
    Column("edition", String(9), ForeignKey("edition.edition"), nullable=False,
           comment="Edition of the project."),
    Column("tech_type", String(20), nullable=False, comment="Kind of digital product."),
    Column("status", String(20), nullable=False, comment="Where the project stands."),
    Column("students_count", Integer, comment="Students engaged on the project."),
    Column("mentors_count", Integer, comment="Volunteer mentors engaged on the project."),
    Column("start_date", Date, comment="Start date; else 1 September of its edition."),
    Column("end_date", Date, comment="End date."),
    *_lineage(),
    _in("tech_type", TECH_TYPES), _in("status", PROJECT_STATUSES),
    CheckConstraint("students_count >= 0", name="students_count_non_negative"),
    CheckConstraint("mentors_count >= 0", name="mentors_count_non_negative"),
    Index("ix_project_edition_org", "edition", "org_id"),
    Index("ix_project_school", "school_id", "edition"),
    Index("ix_project_org", "org_id"),
    comment="Projects built by students for organisations.",
)

student = Table(
    "student", metadata,
    Column("pseudonym", String(64), primary_key=True,
           comment="Keyed hash (HMAC-SHA256) of the e-mail or student number."),
    Column("edition", String(9), ForeignKey("edition.edition"), primary_key=True,
           comment="Edition of the roster."),
    Column("school_id", String(64), ForeignKey("school.school_id"), nullable=False,
           comment="Student's school."),
    Column("project_id", String(64), ForeignKey("project.project_id"),
           comment="Project the student worked on."),
    Column("year_of_study", Integer, comment="Year of study (1 to 8)."),
    Column("gender", String(12), comment="f, m, x or undisclosed."),
    *_lineage(),
    _in("gender", GENDERS),
    Index("ix_student_school_edition", "school_id", "edition"),
    comment="Student roster, pseudonymised (no name, e-mail or student number).",
)

tour_event = Table(
    "tour_event", metadata,
    Column("event_id", String(64), primary_key=True, comment="Natural key."),
    Column("date", Date, nullable=False, comment="Date of the event."),
    Column("edition", String(9), ForeignKey("edition.edition"), nullable=False,
           comment="Edition of its date (academic year from 1 September)."),
    Column("city", Text, nullable=False, comment="City of the event."),
    Column("region_code", String(2), ForeignKey("region.region_code"), nullable=False,
           comment="Region of the event."),
    Column("school_id", String(64), ForeignKey("school.school_id"),
           comment="Host or attending school, when named."),
    Column("event_type", String(20), nullable=False, comment="Kind of event."),
    Column("attendees", Integer, nullable=False, comment="People attending."),
    Column("students_attending", Integer, comment="Students among the attendees."),
    Column("organisations_attending", Integer, comment="Organisations represented."),
    *_lineage(),
    _in("event_type", EVENT_TYPES),
    CheckConstraint("attendees >= 0", name="attendees_non_negative"),
    Index("ix_tour_event_edition_region", "edition", "region_code"),
    comment="Events of the Tour de France.",
)

guide_record = Table(
    "guide_record", metadata,
    Column("record_id", String(64), primary_key=True, comment="Natural key."),
    Column("date", Date, nullable=False, comment="Date of the distribution."),
    Column("edition", String(9), ForeignKey("edition.edition"), nullable=False,
           comment="Edition of its date."),
    Column("channel", String(20), nullable=False, comment="How the guide went out."),
    Column("copies", Integer, nullable=False, comment="Downloads or printed copies."),
    Column("region_code", String(2), ForeignKey("region.region_code"),
           comment="Region given on the record."),
    Column("school_id", String(64), ForeignKey("school.school_id"), comment="Receiving school."),
    Column("org_id", String(64), ForeignKey("organisation.org_id"),
           comment="Receiving organisation."),
    Column("event_id", String(64), ForeignKey("tour_event.event_id"),
           comment="Tour event where copies were handed out."),
    Column("audience", String(20), nullable=False, comment="Audience reached."),
    *_lineage(),
    _in("channel", GUIDE_CHANNELS), _in("audience", GUIDE_AUDIENCES),
    CheckConstraint("copies >= 0", name="copies_non_negative"),
    Index("ix_guide_record_edition", "edition"),
    comment="Distribution records of the published guide.",
)

survey_response = Table(
    "survey_response", metadata,
    Column("response_id", Integer, primary_key=True, autoincrement=True,
           comment="Surrogate key, referenced by the answers."),
    Column("respondent_key", String(120), nullable=False,
           comment="Pseudonym, or 'anon:' + the form tool's response id for anonymous forms."),
    Column("pseudonym", String(64),
           comment="Keyed hash of the respondent's identifier; empty when anonymous."),
    Column("edition", String(9), ForeignKey("edition.edition"), nullable=False,
           comment="Edition the response belongs to."),
    Column("wave", String(4), nullable=False, comment="'pre' or 'post' the programme."),
    Column("school_id", String(64), ForeignKey("school.school_id"), nullable=False,
           comment="Respondent's school."),
    Column("submitted_at", DateTime, comment="Submission time, Europe/Paris, naive."),
    Column("tool", String(20), comment="Form tool that exported the response."),
    *_lineage(),
    UniqueConstraint("respondent_key", "edition", "wave"),
    _in("wave", SURVEY_WAVES),
    Index("ix_survey_response_edition_wave_school", "edition", "wave", "school_id"),
    Index("ix_survey_response_pseudonym", "pseudonym"),
    comment="Student survey responses: the latest per respondent, wave and edition.",
)

survey_answer = Table(
    "survey_answer", metadata,
    Column("response_id", Integer, ForeignKey("survey_response.response_id", ondelete="CASCADE"),
           primary_key=True, comment="Response the answer belongs to."),
    Column("item", String(30), primary_key=True, comment="Questionnaire item, e.g. 'knows_ess'."),
    Column("value", Float, comment="Numeric answer: Likert 1-5, NPS 0-10, knows_ess 2/1/0 "
                                   "(precisely/vaguely/no), ess_structures_known the count."),
    Column("choices", Text, comment="Multi-select codes joined with ';' (ess_structures_known)."),
    comment="Survey answers in long format (response x item).",
)

answer_set_aside = Table(
    "answer_set_aside", metadata,
    Column("set_aside_id", Integer, primary_key=True, autoincrement=True, comment="Surrogate key."),
    Column("batch_id", Integer, ForeignKey("load_batch.batch_id", ondelete="CASCADE"),
           nullable=False, comment="Load batch that wrote the answer's response."),
    Column("response_id", Integer, ForeignKey("survey_response.response_id", ondelete="CASCADE"),
           nullable=False, comment="Response the answer belongs to (kept with its other answers)."),
    Column("row_number", Integer, nullable=False, comment="Row number in the file (1 = header)."),
    Column("item", String(30), nullable=False, comment="Questionnaire item of the answer."),
    Column("scale", String(20), nullable=False,
           comment="Answer scale the label was looked up in (agreement, knows_ess, "
                   "ess_option...)."),
    Column("question", Text, nullable=False, comment="The column header, as written in the file."),
    Column("label", Text, comment="The answer as written; empty when it looked like a person's "
                                  "identifier (never stored)."),
    Column("label_key", String(200), comment="Normalised label (etl.answers.answer_key); empty "
                                             "when the label is not stored."),
    Column("option", String(30), comment="For a tick of one option column of the multi-select "
                                         "item: that column's option."),
    Column("known_choices", Text, comment="For the multi-select item: the options read from the "
                                          "rest of the answer, joined with ';'."),
    Index("ix_answer_set_aside_scale_label", "scale", "label_key"),
    Index("ix_answer_set_aside_response", "response_id", "item"),
    Index("ix_answer_set_aside_batch", "batch_id"),
    comment="Answers the vocabulary cannot read. One is set aside (counted as not answered) "
            "while it has no survey_answer row; a staff mapping (answer_label_map) reads it.",
)

answer_label_map = Table(
    "answer_label_map", metadata,
    Column("scale", String(20), primary_key=True, comment="Answer scale of the label."),
    Column("label_key", String(200), primary_key=True,
           comment="Normalised label (etl.answers.answer_key)."),
    Column("label", Text, nullable=False, comment="The label as staff typed it."),
    Column("value", String(30), nullable=False,
           comment="Value it stands for, as text (etl.labels.SCALES)."),
    Column("created_by", Text, comment="Account or command that mapped it."),
    Column("created_at", DateTime, nullable=False, comment="When it was mapped (UTC)."),
    comment="Answer labels staff mapped to a value of their scale; read by every later load.",
)

org_followup = Table(
    "org_followup", metadata,
    Column("project_id", String(64), ForeignKey("project.project_id"), primary_key=True,
           comment="Project followed up."),
    Column("wave", String(12), primary_key=True, comment="'end' or 'six_months'."),
    Column("delivered", Boolean, comment="Was the product delivered?"),
    Column("in_use", String(14), comment="oui, partiellement or non."),
    Column("satisfaction", Integer, comment="Organisation's satisfaction, 1-5."),
    Column("mission_impact", Integer, comment="Impact on the organisation's mission, 1-5."),
    Column("beneficiaries_reached", Integer, comment="Beneficiaries reached."),
    Column("would_apply_again", Boolean, comment="Would the organisation apply again?"),
    *_lineage(),
    _in("wave", ORG_SURVEY_WAVES), _in("in_use", IN_USE_ANSWERS),
    CheckConstraint("satisfaction BETWEEN 1 AND 5", name="satisfaction_range"),
    CheckConstraint("mission_impact BETWEEN 1 AND 5", name="mission_impact_range"),
    comment="Organisation follow-up survey answers.",
)

load_batch = Table(
    "load_batch", metadata,
    Column("batch_id", Integer, primary_key=True, autoincrement=True, comment="Batch number."),
    Column("file_name", Text, nullable=False, comment="Name of the loaded file."),
    Column("sha256", String(64), nullable=False, comment="Digest of the file's bytes."),
    Column("kind", String(20), nullable=False, comment="Input kind."),
    Column("tool", String(30), comment="Form tool or template recognised."),
    Column("wave", String(12), comment="Survey wave given or found."),
    Column("started_at", DateTime, nullable=False, comment="When the load started (UTC)."),
    Column("finished_at", DateTime, comment="When it finished (UTC)."),
    Column("rows_read", Integer, nullable=False, default=0, comment="Data rows read."),
    Column("rows_loaded", Integer, nullable=False, default=0, comment="Rows new or updated or "
                                                                     "unchanged."),
    Column("rows_new", Integer, nullable=False, default=0, comment="Rows added."),
    Column("rows_updated", Integer, nullable=False, default=0, comment="Rows changed."),
    Column("rows_unchanged", Integer, nullable=False, default=0, comment="Rows already there."),
    Column("rows_rejected", Integer, nullable=False, default=0, comment="Rows rejected."),
    Column("columns_ignored", Text, comment="Columns that matched nothing (JSON list)."),
    Column("status", String(10), nullable=False, comment="running, loaded, failed, unloaded."),
    Column("is_demo", Boolean, nullable=False, default=False,
           comment="True for the demo's synthetic data."),
    _in("status", BATCH_STATUSES),
    Index("ix_load_batch_sha256", "sha256"),
    comment="One row per loaded file (lineage).",
)

rejected_row = Table(
    "rejected_row", metadata,
    Column("rejected_id", Integer, primary_key=True, autoincrement=True, comment="Surrogate key."),
    Column("batch_id", Integer, ForeignKey("load_batch.batch_id", ondelete="CASCADE"),
           nullable=False, comment="Batch of the file the row came from."),
    Column("row_number", Integer, nullable=False, comment="Row number in the file (1 = header)."),
    Column("reason", Text, nullable=False, comment="Why the row was not loaded."),
    Column("reason_code", String(40), nullable=False, comment="Reason category, for counts."),
    Column("data", Text, comment="The row as JSON, without personal identifiers or free text."),
    Index("ix_rejected_row_batch", "batch_id"),
    comment="Rows that failed validation, kept with their reason.",
)

# Which batches hold which row: `batch_id` on a fact row names only the batch that last wrote
# it, so a later file that found the row unchanged, or an earlier version a later file replaced,
# would be invisible to `impact unload` without this history.
row_lineage = Table(
    "row_lineage", metadata,
    Column("batch_id", Integer, ForeignKey("load_batch.batch_id", ondelete="CASCADE"),
           primary_key=True, comment="Batch whose file held the row."),
    Column("table_name", String(30), primary_key=True,
           comment="Table of the row: a fact table, or rejected_row."),
    Column("row_key", String(200), primary_key=True,
           comment="The row's natural key, its parts joined by '|' (rejected_row: rejected_id); "
                   "a pseudonym at most, as the row itself stores it."),
    Column("action", String(10), nullable=False,
           comment="added, changed (replaced an earlier version), unchanged (found as it was) "
                   "or superseded (the file's older survey response was set aside)."),
    Column("previous", Text,
           comment="For 'changed': the version the batch replaced, as JSON (a survey "
                   "response's answers too), brought back if the batch is unloaded."),
    _in("action", LINEAGE_ACTIONS),
    Index("ix_row_lineage_row", "table_name", "row_key", "batch_id"),
    comment="Per batch and row: what the batch's file did to it (lineage for exact unloads).",
)

app_user = Table(
    "app_user", metadata,
    Column("user_id", Integer, primary_key=True, autoincrement=True, comment="Surrogate key."),
    Column("email", String(254), nullable=False, unique=True, comment="Login e-mail."),
    Column("password_hash", Text, nullable=False, comment="Password hash (never the password)."),
    Column("role", String(10), nullable=False, comment="admin, staff, funder or school."),
    Column("scope", Text, nullable=False, default="{}",
           comment="JSON: editions, regions, schools the account may see."),
    Column("is_active", Boolean, nullable=False, default=True, comment="False when disabled."),
    Column("created_at", DateTime, nullable=False, comment="Creation time (UTC)."),
    _in("role", ROLES),
    comment="Dashboard accounts (staff, funders, schools); students never have one.",
)

app_session = Table(
    "app_session", metadata,
    Column("session_key", String(64), primary_key=True,
           comment="SHA-256 of the random id the signed cookie carries (never the id itself)."),
    Column("user_id", Integer, ForeignKey("app_user.user_id", ondelete="CASCADE"),
           nullable=False, comment="Account signed in."),
    Column("started_at", DateTime, nullable=False, comment="When the account signed in (UTC)."),
    Column("expires_at", DateTime, nullable=False,
           comment="When the session ends by itself (UTC), unless ended before."),
    Index("ix_app_session_user", "user_id"),
    comment="Open dashboard sessions: a cookie opens pages only while its row is here; "
            "signing out, a new password, disabling or removing the account delete it.",
)

login_failure = Table(
    "login_failure", metadata,
    Column("failure_id", Integer, primary_key=True, autoincrement=True, comment="Surrogate key."),
    Column("limit_key", String(64), nullable=False,
           comment="SHA-256 of the limit's key (an e-mail digest or an address): neither is "
                   "stored."),
    Column("at", Float, nullable=False, comment="When it was counted (seconds since 1970, UTC)."),
    Index("ix_login_failure_key", "limit_key", "at"),
    comment="Failed sign-ins of the last minutes, counted for every worker of the deployment "
            "when no Redis is configured (entries older than the limit's window are deleted).",
)

published_snapshot = Table(
    "published_snapshot", metadata,
    Column("snapshot_id", Integer, primary_key=True, autoincrement=True, comment="Surrogate key."),
    Column("edition", String(9), nullable=False, comment="Edition published."),
    Column("scope_key", Text, nullable=False, comment="Scope the figures were computed for."),
    Column("published_at", DateTime, nullable=False, comment="When it was published (UTC)."),
    Column("published_by", Text, comment="Account that published it."),
    Column("batch_ids", Text, nullable=False, comment="Load batches the figures came from."),
    Column("content_hash", String(64), nullable=False, comment="SHA-256 of the figures."),
    Column("figures", Text, nullable=False, comment="Every figure of the report, as JSON."),
    comment="Immutable snapshots of published funder reports.",
)

audit_log = Table(
    "audit_log", metadata,
    Column("audit_id", Integer, primary_key=True, autoincrement=True, comment="Surrogate key."),
    Column("at", DateTime, nullable=False, comment="When (UTC)."),
    Column("actor", Text, comment="Account or command that acted."),
    Column("action", String(40), nullable=False, comment="What was done."),
    Column("detail", Text, comment="JSON details, never a password or a person's identifier."),
    Index("ix_audit_log_action", "action", "audit_id"),
    comment="Audit log of logins, downloads, publications, erasures and account changes.",
)

subscription = Table(
    "subscription", metadata,
    Column("subscription_id", Integer, primary_key=True, autoincrement=True,
           comment="Surrogate key."),
    Column("user_id", Integer, ForeignKey("app_user.user_id", ondelete="CASCADE"),
           nullable=False, unique=True,
           comment="Account that receives the reports; its scope decides what they hold."),
    Column("every", String(12), nullable=False,
           comment="month, quarter (the latest published edition at the start of each "
                   "period) or publication (each edition as it is published)."),
    Column("editions", Text, nullable=False, default="[]",
           comment="JSON list of the editions wanted (empty: every edition of the scope)."),
    Column("lang", String(2), nullable=False, comment="Language of the mail and report."),
    Column("created_at", DateTime, nullable=False, comment="When it was added (UTC)."),
    Column("first_snapshot_id", Integer, nullable=False, default=0,
           comment="Highest snapshot id when it was added: publications up to it were "
                   "there before the subscription and are not sent as new."),
    Column("created_by", Text, comment="Account or command that added it."),
    _in("every", DELIVERY_RHYTHMS),
    _in("lang", LANGS),
    comment="Accounts that receive the published report by e-mail (impact deliver).",
)

delivery = Table(
    "delivery", metadata,
    Column("delivery_id", Integer, primary_key=True, autoincrement=True,
           comment="Surrogate key."),
    Column("subscription_id", Integer,
           ForeignKey("subscription.subscription_id", ondelete="CASCADE"), nullable=False,
           comment="Subscription it was sent for."),
    Column("edition", String(9), nullable=False, comment="Edition of the report sent."),
    Column("period", String(20), nullable=False,
           comment="'2026-01' (month), '2026-Q1' (quarter) or 'snapshot-17' (publication)."),
    Column("snapshot_id", Integer, comment="Published snapshot the attached PDF was rendered "
                                           "from."),
    Column("status", String(10), nullable=False,
           comment="claimed (being sent), sent, or failed (sent again at the next run)."),
    Column("claimed_at", DateTime, nullable=False, comment="When a run claimed it (UTC)."),
    Column("sent_at", DateTime, comment="When the mail server accepted it (UTC)."),
    Column("error", Text, comment="Why the last attempt failed."),
    UniqueConstraint("subscription_id", "edition", "period"),
    _in("status", DELIVERY_STATUSES),
    comment="One row per report mailed (or being mailed) to a subscriber: never twice the "
            "same subscription, edition and period.",
)

commentary = Table(
    "commentary", metadata,
    Column("commentary_id", Integer, primary_key=True, autoincrement=True,
           comment="Surrogate key."),
    Column("section", String(12), nullable=False,
           comment="Figure it explains: tour (the map), awareness (the headline), outcomes "
                   "(by region) or guide."),
    Column("edition", String(9), ForeignKey("edition.edition"), nullable=False,
           comment="Edition it is about."),
    Column("region_code", String(2), ForeignKey("region.region_code"),
           comment="Region it is about; empty for a national comment."),
    Column("text_fr", Text, nullable=False,
           comment="The comment in French: plain text or a small safe subset of Markdown."),
    Column("text_en", Text, comment="The comment in English; empty: English readers see the "
                                    "French text."),
    Column("created_by", Text, comment="Account or command that wrote it."),
    Column("created_at", DateTime, nullable=False, comment="When it was written (UTC)."),
    Column("updated_by", Text, comment="Account or command that last changed it."),
    Column("updated_at", DateTime, nullable=False, comment="When it last changed (UTC)."),
    Index("ix_commentary_edition", "edition", "section"),
    _in("section", COMMENTARY_SECTIONS),
    comment="Staff's comments on a figure for an edition (and a region): shown beside it, "
            "printed in the report under its section, frozen with a published report.",
)

# ---- derived tables (marts), rebuilt by etl.marts after each load ----

mart_response = Table(
    "mart_response", metadata,
    Column("response_id", Integer, primary_key=True, comment="Survey response."),
    Column("pseudonym", String(64), comment="Pseudonym; empty when anonymous."),
    Column("edition", String(9), nullable=False, comment="Edition."),
    Column("wave", String(4), nullable=False, comment="pre or post."),
    Column("school_id", String(64), nullable=False, comment="School of the respondent."),
    Column("region_code", String(2), nullable=False, comment="Region of the school."),
    Column("knows_ess", Float, comment="2 precisely, 1 vaguely, 0 no."),
    Column("ess_structures_known", Float, comment="Number of kinds of ESS bodies named."),
    Column("wants_useful", Float, comment="Likert 1-5."),
    Column("tech_for_good", Float, comment="Likert 1-5."),
    Column("consider_ess_career", Float, comment="Likert 1-5."),
    Column("intends_volunteer", Float, comment="Likert 1-5."),
    Column("satisfaction", Float, comment="Likert 1-5 (post only)."),
    Column("recommend", Float, comment="0-10 (post only)."),
    Index("ix_mart_response_filters", "edition", "school_id", "wave"),
    Index("ix_mart_response_pairing", "pseudonym", "edition", "wave"),
    comment="One row per response with one column per item (wide), for fast figures.",
)

mart_pair = Table(
    "mart_pair", metadata,
    Column("pseudonym", String(64), primary_key=True, comment="Respondent."),
    Column("edition", String(9), primary_key=True, comment="Edition of both answers."),
    Column("school_id", String(64), nullable=False, comment="School (of the pre answer)."),
    Column("region_code", String(2), nullable=False, comment="Region of the school."),
    *[Column(f"{wave}_{item}", Float, comment=f"{item} answered {wave} the programme.")
      for item in ("knows_ess", "ess_structures_known", "wants_useful", "tech_for_good",
                   "consider_ess_career", "intends_volunteer")
      for wave in ("pre", "post")],
    Index("ix_mart_pair_filters", "edition", "school_id"),
    comment="Identified respondents with a pre and a post answer in the same edition.",
)

FACT_TABLES = ("organisation", "project", "student", "tour_event", "guide_record",
               "survey_response", "org_followup")
MART_TABLES = ("mart_response", "mart_pair")
