"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 16:04:05.748580

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0001'
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    
    op.create_table('app_user',
    sa.Column('user_id', sa.Integer(), autoincrement=True, nullable=False, comment='Surrogate key.'),
    sa.Column('email', sa.String(length=254), nullable=False, comment='Login e-mail.'),
    sa.Column('password_hash', sa.Text(), nullable=False, comment='Password hash (never the password).'),
    sa.Column('role', sa.String(length=10), nullable=False, comment='admin, staff, funder or school.'),
    sa.Column('scope', sa.Text(), nullable=False, comment='JSON: editions, regions, schools the account may see.'),
    sa.Column('is_active', sa.Boolean(), nullable=False, comment='False when disabled.'),
    sa.Column('created_at', sa.DateTime(), nullable=False, comment='Creation time (UTC).'),
    sa.CheckConstraint("role IN ('admin', 'staff', 'funder', 'school')", name=op.f('ck_app_user_role_allowed')),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_app_user')),
    sa.UniqueConstraint('email', name=op.f('uq_app_user_email')),
    comment='Dashboard accounts (staff, funders, schools); students never have one.'
    )
    op.create_table('audit_log',
    sa.Column('audit_id', sa.Integer(), autoincrement=True, nullable=False, comment='Surrogate key.'),
    sa.Column('at', sa.DateTime(), nullable=False, comment='When (UTC).'),
    sa.Column('actor', sa.Text(), nullable=True, comment='Account or command that acted.'),
    sa.Column('action', sa.String(length=40), nullable=False, comment='What was done.'),
    sa.Column('detail', sa.Text(), nullable=True, comment="JSON details, never a password or a person's identifier."),
    sa.PrimaryKeyConstraint('audit_id', name=op.f('pk_audit_log')),
    comment='Audit log of logins, downloads, publications, erasures and account changes.'
    )
    op.create_table('edition',
    sa.Column('edition', sa.String(length=9), nullable=False, comment="Academic year, e.g. '2024-2025'."),
    sa.Column('start_date', sa.Date(), nullable=False, comment='1 September of the first year.'),
    sa.Column('end_date', sa.Date(), nullable=False, comment='31 August of the second year.'),
    sa.PrimaryKeyConstraint('edition', name=op.f('pk_edition')),
    comment='Editions of the programme (academic years).'
    )
    op.create_table('load_batch',
    sa.Column('batch_id', sa.Integer(), autoincrement=True, nullable=False, comment='Batch number.'),
    sa.Column('file_name', sa.Text(), nullable=False, comment='Name of the loaded file.'),
    sa.Column('sha256', sa.String(length=64), nullable=False, comment="Digest of the file's bytes."),
    sa.Column('kind', sa.String(length=20), nullable=False, comment='Input kind.'),
    sa.Column('tool', sa.String(length=30), nullable=True, comment='Form tool or template recognised.'),
    sa.Column('wave', sa.String(length=12), nullable=True, comment='Survey wave given or found.'),
    sa.Column('started_at', sa.DateTime(), nullable=False, comment='When the load started (UTC).'),
    sa.Column('finished_at', sa.DateTime(), nullable=True, comment='When it finished (UTC).'),
    sa.Column('rows_read', sa.Integer(), nullable=False, comment='Data rows read.'),
    sa.Column('rows_loaded', sa.Integer(), nullable=False, comment='Rows new or updated or unchanged.'),
    sa.Column('rows_new', sa.Integer(), nullable=False, comment='Rows added.'),
    sa.Column('rows_updated', sa.Integer(), nullable=False, comment='Rows changed.'),
    sa.Column('rows_unchanged', sa.Integer(), nullable=False, comment='Rows already there.'),
    sa.Column('rows_rejected', sa.Integer(), nullable=False, comment='Rows rejected.'),
    sa.Column('columns_ignored', sa.Text(), nullable=True, comment='Columns that matched nothing (JSON list).'),
    sa.Column('status', sa.String(length=10), nullable=False, comment='running, loaded, failed, unloaded.'),
    sa.Column('is_demo', sa.Boolean(), nullable=False, comment="True for the demo's synthetic data."),
    sa.CheckConstraint("status IN ('running', 'loaded', 'failed', 'unloaded', 'dry_run')", name=op.f('ck_load_batch_status_allowed')),
    sa.PrimaryKeyConstraint('batch_id', name=op.f('pk_load_batch')),
    comment='One row per loaded file (lineage).'
    )
    with op.batch_alter_table('load_batch', schema=None) as batch_op:
        batch_op.create_index('ix_load_batch_sha256', ['sha256'], unique=False)

    op.create_table('mart_pair',
    sa.Column('pseudonym', sa.String(length=64), nullable=False, comment='Respondent.'),
    sa.Column('edition', sa.String(length=9), nullable=False, comment='Edition of both answers.'),
    sa.Column('school_id', sa.String(length=64), nullable=False, comment='School (of the pre answer).'),
    sa.Column('region_code', sa.String(length=2), nullable=False, comment='Region of the school.'),
    sa.Column('pre_knows_ess', sa.Float(), nullable=True, comment='knows_ess answered pre the programme.'),
    sa.Column('post_knows_ess', sa.Float(), nullable=True, comment='knows_ess answered post the programme.'),
    sa.Column('pre_ess_structures_known', sa.Float(), nullable=True, comment='ess_structures_known answered pre the programme.'),
    sa.Column('post_ess_structures_known', sa.Float(), nullable=True, comment='ess_structures_known answered post the programme.'),
    sa.Column('pre_wants_useful', sa.Float(), nullable=True, comment='wants_useful answered pre the programme.'),
    sa.Column('post_wants_useful', sa.Float(), nullable=True, comment='wants_useful answered post the programme.'),
    sa.Column('pre_tech_for_good', sa.Float(), nullable=True, comment='tech_for_good answered pre the programme.'),
    sa.Column('post_tech_for_good', sa.Float(), nullable=True, comment='tech_for_good answered post the programme.'),
    sa.Column('pre_consider_ess_career', sa.Float(), nullable=True, comment='consider_ess_career answered pre the programme.'),
    sa.Column('post_consider_ess_career', sa.Float(), nullable=True, comment='consider_ess_career answered post the programme.'),
    sa.Column('pre_intends_volunteer', sa.Float(), nullable=True, comment='intends_volunteer answered pre the programme.'),
    sa.Column('post_intends_volunteer', sa.Float(), nullable=True, comment='intends_volunteer answered post the programme.'),
    sa.PrimaryKeyConstraint('pseudonym', 'edition', name=op.f('pk_mart_pair')),
    comment='Identified respondents with a pre and a post answer in the same edition.'
    )
    with op.batch_alter_table('mart_pair', schema=None) as batch_op:
        batch_op.create_index('ix_mart_pair_filters', ['edition', 'school_id'], unique=False)

    op.create_table('mart_response',
    sa.Column('response_id', sa.Integer(), nullable=False, comment='Survey response.'),
    sa.Column('pseudonym', sa.String(length=64), nullable=True, comment='Pseudonym; empty when anonymous.'),
    sa.Column('edition', sa.String(length=9), nullable=False, comment='Edition.'),
    sa.Column('wave', sa.String(length=4), nullable=False, comment='pre or post.'),
    sa.Column('school_id', sa.String(length=64), nullable=False, comment='School of the respondent.'),
    sa.Column('region_code', sa.String(length=2), nullable=False, comment='Region of the school.'),
    sa.Column('knows_ess', sa.Float(), nullable=True, comment='2 precisely, 1 vaguely, 0 no.'),
    sa.Column('ess_structures_known', sa.Float(), nullable=True, comment='Number of kinds of ESS bodies named.'),
    sa.Column('wants_useful', sa.Float(), nullable=True, comment='Likert 1-5.'),
    sa.Column('tech_for_good', sa.Float(), nullable=True, comment='Likert 1-5.'),
    sa.Column('consider_ess_career', sa.Float(), nullable=True, comment='Likert 1-5.'),
    sa.Column('intends_volunteer', sa.Float(), nullable=True, comment='Likert 1-5.'),
    sa.Column('satisfaction', sa.Float(), nullable=True, comment='Likert 1-5 (post only).'),
    sa.Column('recommend', sa.Float(), nullable=True, comment='0-10 (post only).'),
    sa.PrimaryKeyConstraint('response_id', name=op.f('pk_mart_response')),
    comment='One row per response with one column per item (wide), for fast figures.'
    )
    with op.batch_alter_table('mart_response', schema=None) as batch_op:
        batch_op.create_index('ix_mart_response_filters', ['edition', 'school_id', 'wave'], unique=False)
        batch_op.create_index('ix_mart_response_pairing', ['pseudonym', 'edition', 'wave'], unique=False)

    op.create_table('published_snapshot',
    sa.Column('snapshot_id', sa.Integer(), autoincrement=True, nullable=False, comment='Surrogate key.'),
    sa.Column('edition', sa.String(length=9), nullable=False, comment='Edition published.'),
    sa.Column('scope_key', sa.Text(), nullable=False, comment='Scope the figures were computed for.'),
    sa.Column('published_at', sa.DateTime(), nullable=False, comment='When it was published (UTC).'),
    sa.Column('published_by', sa.Text(), nullable=True, comment='Account that published it.'),
    sa.Column('batch_ids', sa.Text(), nullable=False, comment='Load batches the figures came from.'),
    sa.Column('content_hash', sa.String(length=64), nullable=False, comment='SHA-256 of the figures.'),
    sa.Column('figures', sa.Text(), nullable=False, comment='Every figure of the report, as JSON.'),
    sa.PrimaryKeyConstraint('snapshot_id', name=op.f('pk_published_snapshot')),
    comment='Immutable snapshots of published funder reports.'
    )
    op.create_table('region',
    sa.Column('region_code', sa.String(length=2), nullable=False, comment="INSEE region code, e.g. '84'."),
    sa.Column('name', sa.Text(), nullable=False, comment='Official French name.'),
    sa.Column('zone', sa.String(length=5), nullable=False, comment="'metro' or 'drom' (overseas)."),
    sa.PrimaryKeyConstraint('region_code', name=op.f('pk_region')),
    comment='The 18 French regions (reference data).'
    )
    op.create_table('organisation',
    sa.Column('org_id', sa.String(length=64), nullable=False, comment='Natural key from the staff files.'),
    sa.Column('name', sa.Text(), nullable=False, comment="Organisation's name."),
    sa.Column('legal_form', sa.String(length=20), nullable=False, comment='Legal form of the organisation.'),
    sa.Column('cause', sa.String(length=30), nullable=False, comment='Main cause it serves.'),
    sa.Column('city', sa.Text(), nullable=True, comment='City of the organisation.'),
    sa.Column('region_code', sa.String(length=2), nullable=False, comment="Region of the organisation; a project's region is its organisation's."),
    sa.Column('batch_id', sa.Integer(), nullable=False, comment='Load batch that last wrote this row.'),
    sa.Column('row_hash', sa.String(length=32), nullable=False, comment="Digest of the row's values, to tell updated from unchanged rows."),
    sa.CheckConstraint("cause IN ('education', 'sante', 'environnement', 'inclusion', 'emploi', 'culture', 'solidarite_internationale', 'autre')", name=op.f('ck_organisation_cause_allowed')),
    sa.CheckConstraint("legal_form IN ('association', 'fondation', 'cooperative', 'mutuelle', 'entreprise_esus', 'collectivite', 'autre')", name=op.f('ck_organisation_legal_form_allowed')),
    sa.ForeignKeyConstraint(['batch_id'], ['load_batch.batch_id'], name=op.f('fk_organisation_batch_id_load_batch')),
    sa.ForeignKeyConstraint(['region_code'], ['region.region_code'], name=op.f('fk_organisation_region_code_region')),
    sa.PrimaryKeyConstraint('org_id', name=op.f('pk_organisation')),
    comment='ESS organisations that submit projects.'
    )
    op.create_table('rejected_row',
    sa.Column('rejected_id', sa.Integer(), autoincrement=True, nullable=False, comment='Surrogate key.'),
    sa.Column('batch_id', sa.Integer(), nullable=False, comment='Batch of the file the row came from.'),
    sa.Column('row_number', sa.Integer(), nullable=False, comment='Row number in the file (1 = header).'),
    sa.Column('reason', sa.Text(), nullable=False, comment='Why the row was not loaded.'),
    sa.Column('reason_code', sa.String(length=40), nullable=False, comment='Reason category, for counts.'),
    sa.Column('data', sa.Text(), nullable=True, comment='The row as JSON, without personal identifiers or free text.'),
    sa.ForeignKeyConstraint(['batch_id'], ['load_batch.batch_id'], name=op.f('fk_rejected_row_batch_id_load_batch'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('rejected_id', name=op.f('pk_rejected_row')),
    comment='Rows that failed validation, kept with their reason.'
    )
    with op.batch_alter_table('rejected_row', schema=None) as batch_op:
        batch_op.create_index('ix_rejected_row_batch', ['batch_id'], unique=False)

    op.create_table('school',
    sa.Column('school_id', sa.String(length=64), nullable=False, comment="Stable slug, e.g. 'insa-lyon'."),
    sa.Column('name', sa.Text(), nullable=False, comment='Official or usual name.'),
    sa.Column('short_name', sa.Text(), nullable=True, comment='Short name or acronym people write in forms.'),
    sa.Column('city', sa.Text(), nullable=True, comment='City of the main campus.'),
    sa.Column('region_code', sa.String(length=2), nullable=False, comment='Region of the main campus.'),
    sa.Column('is_synthetic', sa.Boolean(), nullable=False, comment='True for schools the demo invents (national-scale demo).'),
    sa.ForeignKeyConstraint(['region_code'], ['region.region_code'], name=op.f('fk_school_region_code_region')),
    sa.PrimaryKeyConstraint('school_id', name=op.f('pk_school')),
    comment='Schools (reference list plus schools staff add).'
    )
    op.create_table('project',
    sa.Column('project_id', sa.String(length=64), nullable=False, comment='Natural key.'),
    sa.Column('title', sa.Text(), nullable=False, comment='Project title.'),
    sa.Column('org_id', sa.String(length=64), nullable=False, comment='Organisation the project is built for.'),
    sa.Column('school_id', sa.String(length=64), nullable=True, comment="Students' school."),
    sa.Column('edition', sa.String(length=9), nullable=False, comment='Edition of the project.'),
    sa.Column('tech_type', sa.String(length=20), nullable=False, comment='Kind of digital product.'),
    sa.Column('status', sa.String(length=20), nullable=False, comment='Where the project stands.'),
    sa.Column('students_count', sa.Integer(), nullable=True, comment='Students engaged on the project.'),
    sa.Column('mentors_count', sa.Integer(), nullable=True, comment='Volunteer mentors engaged on the project.'),
    sa.Column('start_date', sa.Date(), nullable=True, comment='Start date; else 1 September of its edition.'),
    sa.Column('end_date', sa.Date(), nullable=True, comment='End date.'),
    sa.Column('batch_id', sa.Integer(), nullable=False, comment='Load batch that last wrote this row.'),
    sa.Column('row_hash', sa.String(length=32), nullable=False, comment="Digest of the row's values, to tell updated from unchanged rows."),
    sa.CheckConstraint("status IN ('submitted', 'selected', 'in_progress', 'delivered', 'abandoned')", name=op.f('ck_project_status_allowed')),
    sa.CheckConstraint("tech_type IN ('web_app', 'mobile_app', 'data_analysis', 'algorithm_ai', 'blockchain', 'iot', 'website', 'other')", name=op.f('ck_project_tech_type_allowed')),
    sa.CheckConstraint('mentors_count >= 0', name=op.f('ck_project_mentors_count_non_negative')),
    sa.CheckConstraint('students_count >= 0', name=op.f('ck_project_students_count_non_negative')),
    sa.ForeignKeyConstraint(['batch_id'], ['load_batch.batch_id'], name=op.f('fk_project_batch_id_load_batch')),
    sa.ForeignKeyConstraint(['edition'], ['edition.edition'], name=op.f('fk_project_edition_edition')),
    sa.ForeignKeyConstraint(['org_id'], ['organisation.org_id'], name=op.f('fk_project_org_id_organisation')),
    sa.ForeignKeyConstraint(['school_id'], ['school.school_id'], name=op.f('fk_project_school_id_school')),
    sa.PrimaryKeyConstraint('project_id', name=op.f('pk_project')),
    comment='Projects built by students for organisations.'
    )
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.create_index('ix_project_edition_org', ['edition', 'org_id'], unique=False)
        batch_op.create_index('ix_project_school', ['school_id', 'edition'], unique=False)

    op.create_table('school_alias',
    sa.Column('alias_key', sa.String(length=200), nullable=False, comment='Normalised name (no accents, case or punctuation).'),
    sa.Column('alias', sa.Text(), nullable=False, comment='The name as written by people.'),
    sa.Column('school_id', sa.String(length=64), nullable=False, comment='School the alias stands for.'),
    sa.ForeignKeyConstraint(['school_id'], ['school.school_id'], name=op.f('fk_school_alias_school_id_school')),
    sa.PrimaryKeyConstraint('alias_key', name=op.f('pk_school_alias')),
    comment='Names under which a school is written in files.'
    )
    op.create_table('survey_response',
    sa.Column('response_id', sa.Integer(), autoincrement=True, nullable=False, comment='Surrogate key, referenced by the answers.'),
    sa.Column('respondent_key', sa.String(length=120), nullable=False, comment="Pseudonym, or 'anon:' + the form tool's response id for anonymous forms."),
    sa.Column('pseudonym', sa.String(length=64), nullable=True, comment="Keyed hash of the respondent's identifier; empty when anonymous."),
    sa.Column('edition', sa.String(length=9), nullable=False, comment='Edition the response belongs to.'),
    sa.Column('wave', sa.String(length=4), nullable=False, comment="'pre' or 'post' the programme."),
    sa.Column('school_id', sa.String(length=64), nullable=False, comment="Respondent's school."),
    sa.Column('submitted_at', sa.DateTime(), nullable=True, comment='Submission time, Europe/Paris, naive.'),
    sa.Column('tool', sa.String(length=20), nullable=True, comment='Form tool that exported the response.'),
    sa.Column('batch_id', sa.Integer(), nullable=False, comment='Load batch that last wrote this row.'),
    sa.Column('row_hash', sa.String(length=32), nullable=False, comment="Digest of the row's values, to tell updated from unchanged rows."),
    sa.CheckConstraint("wave IN ('pre', 'post')", name=op.f('ck_survey_response_wave_allowed')),
    sa.ForeignKeyConstraint(['batch_id'], ['load_batch.batch_id'], name=op.f('fk_survey_response_batch_id_load_batch')),
    sa.ForeignKeyConstraint(['edition'], ['edition.edition'], name=op.f('fk_survey_response_edition_edition')),
    sa.ForeignKeyConstraint(['school_id'], ['school.school_id'], name=op.f('fk_survey_response_school_id_school')),
    sa.PrimaryKeyConstraint('response_id', name=op.f('pk_survey_response')),
    sa.UniqueConstraint('respondent_key', 'edition', 'wave', name=op.f('uq_survey_response_respondent_key_edition_wave')),
    comment='Student survey responses: the latest per respondent, wave and edition.'
    )
    with op.batch_alter_table('survey_response', schema=None) as batch_op:
        batch_op.create_index('ix_survey_response_edition_wave_school', ['edition', 'wave', 'school_id'], unique=False)
        batch_op.create_index('ix_survey_response_pseudonym', ['pseudonym'], unique=False)

    op.create_table('tour_event',
    sa.Column('event_id', sa.String(length=64), nullable=False, comment='Natural key.'),
    sa.Column('date', sa.Date(), nullable=False, comment='Date of the event.'),
    sa.Column('edition', sa.String(length=9), nullable=False, comment='Edition of its date (academic year from 1 September).'),
    sa.Column('city', sa.Text(), nullable=False, comment='City of the event.'),
    sa.Column('region_code', sa.String(length=2), nullable=False, comment='Region of the event.'),
    sa.Column('school_id', sa.String(length=64), nullable=True, comment='Host or attending school, when named.'),
    sa.Column('event_type', sa.String(length=20), nullable=False, comment='Kind of event.'),
    sa.Column('attendees', sa.Integer(), nullable=False, comment='People attending.'),
    sa.Column('students_attending', sa.Integer(), nullable=True, comment='Students among the attendees.'),
    sa.Column('organisations_attending', sa.Integer(), nullable=True, comment='Organisations represented.'),
    sa.Column('batch_id', sa.Integer(), nullable=False, comment='Load batch that last wrote this row.'),
    sa.Column('row_hash', sa.String(length=32), nullable=False, comment="Digest of the row's values, to tell updated from unchanged rows."),
    sa.CheckConstraint("event_type IN ('conference', 'workshop', 'hackathon', 'forum', 'webinar')", name=op.f('ck_tour_event_event_type_allowed')),
    sa.CheckConstraint('attendees >= 0', name=op.f('ck_tour_event_attendees_non_negative')),
    sa.ForeignKeyConstraint(['batch_id'], ['load_batch.batch_id'], name=op.f('fk_tour_event_batch_id_load_batch')),
    sa.ForeignKeyConstraint(['edition'], ['edition.edition'], name=op.f('fk_tour_event_edition_edition')),
    sa.ForeignKeyConstraint(['region_code'], ['region.region_code'], name=op.f('fk_tour_event_region_code_region')),
    sa.ForeignKeyConstraint(['school_id'], ['school.school_id'], name=op.f('fk_tour_event_school_id_school')),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_tour_event')),
    comment='Events of the Tour de France.'
    )
    with op.batch_alter_table('tour_event', schema=None) as batch_op:
        batch_op.create_index('ix_tour_event_edition_region', ['edition', 'region_code'], unique=False)

    op.create_table('guide_record',
    sa.Column('record_id', sa.String(length=64), nullable=False, comment='Natural key.'),
    sa.Column('date', sa.Date(), nullable=False, comment='Date of the distribution.'),
    sa.Column('edition', sa.String(length=9), nullable=False, comment='Edition of its date.'),
    sa.Column('channel', sa.String(length=20), nullable=False, comment='How the guide went out.'),
    sa.Column('copies', sa.Integer(), nullable=False, comment='Downloads or printed copies.'),
    sa.Column('region_code', sa.String(length=2), nullable=True, comment='Region given on the record.'),
    sa.Column('school_id', sa.String(length=64), nullable=True, comment='Receiving school.'),
    sa.Column('org_id', sa.String(length=64), nullable=True, comment='Receiving organisation.'),
    sa.Column('event_id', sa.String(length=64), nullable=True, comment='Tour event where copies were handed out.'),
    sa.Column('audience', sa.String(length=20), nullable=False, comment='Audience reached.'),
    sa.Column('batch_id', sa.Integer(), nullable=False, comment='Load batch that last wrote this row.'),
    sa.Column('row_hash', sa.String(length=32), nullable=False, comment="Digest of the row's values, to tell updated from unchanged rows."),
    sa.CheckConstraint("audience IN ('students', 'schools', 'organisations', 'professionals', 'other')", name=op.f('ck_guide_record_audience_allowed')),
    sa.CheckConstraint("channel IN ('download', 'print', 'event', 'partner_mailing')", name=op.f('ck_guide_record_channel_allowed')),
    sa.CheckConstraint('copies >= 0', name=op.f('ck_guide_record_copies_non_negative')),
    sa.ForeignKeyConstraint(['batch_id'], ['load_batch.batch_id'], name=op.f('fk_guide_record_batch_id_load_batch')),
    sa.ForeignKeyConstraint(['edition'], ['edition.edition'], name=op.f('fk_guide_record_edition_edition')),
    sa.ForeignKeyConstraint(['event_id'], ['tour_event.event_id'], name=op.f('fk_guide_record_event_id_tour_event')),
    sa.ForeignKeyConstraint(['org_id'], ['organisation.org_id'], name=op.f('fk_guide_record_org_id_organisation')),
    sa.ForeignKeyConstraint(['region_code'], ['region.region_code'], name=op.f('fk_guide_record_region_code_region')),
    sa.ForeignKeyConstraint(['school_id'], ['school.school_id'], name=op.f('fk_guide_record_school_id_school')),
    sa.PrimaryKeyConstraint('record_id', name=op.f('pk_guide_record')),
    comment='Distribution records of the published guide.'
    )
    with op.batch_alter_table('guide_record', schema=None) as batch_op:
        batch_op.create_index('ix_guide_record_edition', ['edition'], unique=False)

    op.create_table('org_followup',
    sa.Column('project_id', sa.String(length=64), nullable=False, comment='Project followed up.'),
    sa.Column('wave', sa.String(length=12), nullable=False, comment="'end' or 'six_months'."),
    sa.Column('delivered', sa.Boolean(), nullable=True, comment='Was the product delivered?'),
    sa.Column('in_use', sa.String(length=14), nullable=True, comment='oui, partiellement or non.'),
    sa.Column('satisfaction', sa.Integer(), nullable=True, comment="Organisation's satisfaction, 1-5."),
    sa.Column('mission_impact', sa.Integer(), nullable=True, comment="Impact on the organisation's mission, 1-5."),
    sa.Column('beneficiaries_reached', sa.Integer(), nullable=True, comment='Beneficiaries reached.'),
    sa.Column('would_apply_again', sa.Boolean(), nullable=True, comment='Would the organisation apply again?'),
    sa.Column('batch_id', sa.Integer(), nullable=False, comment='Load batch that last wrote this row.'),
    sa.Column('row_hash', sa.String(length=32), nullable=False, comment="Digest of the row's values, to tell updated from unchanged rows."),
    sa.CheckConstraint("in_use IN ('oui', 'partiellement', 'non')", name=op.f('ck_org_followup_in_use_allowed')),
    sa.CheckConstraint("wave IN ('end', 'six_months')", name=op.f('ck_org_followup_wave_allowed')),
    sa.CheckConstraint('mission_impact BETWEEN 1 AND 5', name=op.f('ck_org_followup_mission_impact_range')),
    sa.CheckConstraint('satisfaction BETWEEN 1 AND 5', name=op.f('ck_org_followup_satisfaction_range')),
    sa.ForeignKeyConstraint(['batch_id'], ['load_batch.batch_id'], name=op.f('fk_org_followup_batch_id_load_batch')),
    sa.ForeignKeyConstraint(['project_id'], ['project.project_id'], name=op.f('fk_org_followup_project_id_project')),
    sa.PrimaryKeyConstraint('project_id', 'wave', name=op.f('pk_org_followup')),
    comment='Organisation follow-up survey answers.'
    )
    op.create_table('student',
    sa.Column('pseudonym', sa.String(length=64), nullable=False, comment='Keyed hash (HMAC-SHA256) of the e-mail or student number.'),
    sa.Column('edition', sa.String(length=9), nullable=False, comment='Edition of the roster.'),
    sa.Column('school_id', sa.String(length=64), nullable=False, comment="Student's school."),
    sa.Column('project_id', sa.String(length=64), nullable=True, comment='Project the student worked on.'),
    sa.Column('year_of_study', sa.Integer(), nullable=True, comment='Year of study (1 to 8).'),
    sa.Column('gender', sa.String(length=12), nullable=True, comment='f, m, x or undisclosed.'),
    sa.Column('batch_id', sa.Integer(), nullable=False, comment='Load batch that last wrote this row.'),
    sa.Column('row_hash', sa.String(length=32), nullable=False, comment="Digest of the row's values, to tell updated from unchanged rows."),
    sa.CheckConstraint("gender IN ('f', 'm', 'x', 'undisclosed')", name=op.f('ck_student_gender_allowed')),
    sa.ForeignKeyConstraint(['batch_id'], ['load_batch.batch_id'], name=op.f('fk_student_batch_id_load_batch')),
    sa.ForeignKeyConstraint(['edition'], ['edition.edition'], name=op.f('fk_student_edition_edition')),
    sa.ForeignKeyConstraint(['project_id'], ['project.project_id'], name=op.f('fk_student_project_id_project')),
    sa.ForeignKeyConstraint(['school_id'], ['school.school_id'], name=op.f('fk_student_school_id_school')),
    sa.PrimaryKeyConstraint('pseudonym', 'edition', name=op.f('pk_student')),
    comment='Student roster, pseudonymised (no name, e-mail or student number).'
    )
    with op.batch_alter_table('student', schema=None) as batch_op:
        batch_op.create_index('ix_student_school_edition', ['school_id', 'edition'], unique=False)

    op.create_table('survey_answer',
    sa.Column('response_id', sa.Integer(), nullable=False, comment='Response the answer belongs to.'),
    sa.Column('item', sa.String(length=30), nullable=False, comment="Questionnaire item, e.g. 'knows_ess'."),
    sa.Column('value', sa.Float(), nullable=True, comment='Numeric answer: Likert 1-5, NPS 0-10, knows_ess 2/1/0 (precisely/vaguely/no), ess_structures_known the count.'),
    sa.Column('choices', sa.Text(), nullable=True, comment="Multi-select codes joined with ';' (ess_structures_known)."),
    sa.ForeignKeyConstraint(['response_id'], ['survey_response.response_id'], name=op.f('fk_survey_answer_response_id_survey_response'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('response_id', 'item', name=op.f('pk_survey_answer')),
    comment='Survey answers in long format (response x item).'
    )



def downgrade() -> None:
    """Downgrade schema."""
    
    op.drop_table('survey_answer')
    with op.batch_alter_table('student', schema=None) as batch_op:
        batch_op.drop_index('ix_student_school_edition')

    op.drop_table('student')
    op.drop_table('org_followup')
    with op.batch_alter_table('guide_record', schema=None) as batch_op:
        batch_op.drop_index('ix_guide_record_edition')

    op.drop_table('guide_record')
    with op.batch_alter_table('tour_event', schema=None) as batch_op:
        batch_op.drop_index('ix_tour_event_edition_region')

    op.drop_table('tour_event')
    with op.batch_alter_table('survey_response', schema=None) as batch_op:
        batch_op.drop_index('ix_survey_response_pseudonym')
        batch_op.drop_index('ix_survey_response_edition_wave_school')

    op.drop_table('survey_response')
    op.drop_table('school_alias')
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.drop_index('ix_project_school')
        batch_op.drop_index('ix_project_edition_org')

    op.drop_table('project')
    op.drop_table('school')
    with op.batch_alter_table('rejected_row', schema=None) as batch_op:
        batch_op.drop_index('ix_rejected_row_batch')

    op.drop_table('rejected_row')
    op.drop_table('organisation')
    op.drop_table('region')
    op.drop_table('published_snapshot')
    with op.batch_alter_table('mart_response', schema=None) as batch_op:
        batch_op.drop_index('ix_mart_response_pairing')
        batch_op.drop_index('ix_mart_response_filters')

    op.drop_table('mart_response')
    with op.batch_alter_table('mart_pair', schema=None) as batch_op:
        batch_op.drop_index('ix_mart_pair_filters')

    op.drop_table('mart_pair')
    with op.batch_alter_table('load_batch', schema=None) as batch_op:
        batch_op.drop_index('ix_load_batch_sha256')

    op.drop_table('load_batch')
    op.drop_table('edition')
    op.drop_table('audit_log')
    op.drop_table('app_user')

