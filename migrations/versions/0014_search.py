"""Full-text search (issue 15): one search row per appeal, kept by triggers

`search_fold(text)` is the one transliteration: Uzbek Cyrillic to Latin, lower case, the
apostrophe letters (o‘ oʻ o' o` ’ ў → o; g‘ g' ғ → g) folded to their base letter, the
tutuq belgisi (ʼ ъ) and soft sign dropped. It is IMMUTABLE and used both to build the stored
documents and, by the list's query, on the words searched for.

`appeal_search` holds two documents per appeal, so a search by personal data can be confined
to the readers who may see it (R-8.2, no oracle):
- `public_doc`: the text, summary, channel reference, letters' numbers and texts;
- `personal_doc` and `name_grams`: the applicants' and representative's names, addresses,
  phones (digits only, with and without the country code) and e-mails, and the documents'
  names (a confidential appeal's documents are personal data, R-12.1); `name_grams`, the
  trigrams of the folded names, so a name with a typo still matches.

Trigrams are computed here in SQL (`search_grams`, `search_gram_share`: the share of the
searched word's trigrams found among the names') because the embedded PostgreSQL of the tests
and the dev stack (the pgserver wheel) ships without the pg_trgm extension.
Each document holds every word twice: by the `russian` configuration (Russian word forms) and
by `simple` over the folded text (the two scripts of Uzbek meet).

Triggers on `appeals`, `appeal_letters` and `documents` refresh the row of the appeal they
touch, in the writer's own transaction: every writer (the journal, intake, corrections,
documents, the seed) keeps it current without knowing of it. The row is locked before it is
recomputed, so two transactions that change one appeal's letters never lose each other's words.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-27 10:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FOLD = r"""
CREATE FUNCTION search_fold(t text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT regexp_replace(translate(
    replace(replace(replace(replace(replace(replace(replace(replace(
        regexp_replace(lower(t), '([ogоўғг])[''`‘’ʻʼ]', '\1', 'g'),
        'ш', 'sh'), 'ч', 'ch'), 'щ', 'sh'), 'ё', 'yo'), 'ю', 'yu'), 'я', 'ya'),
        'ц', 'ts'), 'ж', 'j'),
    'абвгдезийклмнопрстуфхыэўғқҳ''`‘’ʻʼъь',
    'abvgdeziyklmnoprstufxieogqh'),
  '\mye', 'e', 'g')
$$
"""

DOCS = r"""
CREATE FUNCTION search_grams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT coalesce(array_agg(DISTINCT substr(p.w, i, 3)), '{}')
FROM regexp_split_to_table(t, '[^[:alnum:]]+') AS x(word),
     LATERAL (SELECT '  ' || x.word || ' ' AS w) AS p,
     LATERAL generate_series(1, length(p.w) - 2) AS i
WHERE x.word <> ''
$$
--;
CREATE FUNCTION search_gram_share(q text[], grams text[]) RETURNS real
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT CASE WHEN cardinality(q) = 0 THEN 0
            ELSE (SELECT count(*) FROM unnest(q) AS g WHERE g = ANY(grams))::real
                 / cardinality(q) END
$$
--;
CREATE FUNCTION search_words(t text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT to_tsvector('russian', coalesce(t, ''))
    || to_tsvector('simple', search_fold(coalesce(t, '')))
$$
--;
CREATE FUNCTION search_person(p jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT concat_ws(' ', p->>'last_name', p->>'first_name', p->>'patronymic', p->>'name')
$$
--;
CREATE FUNCTION search_phone(p text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT CASE WHEN d = '' THEN NULL ELSE concat_ws(' ', d, right(d, 9)) END
FROM (SELECT regexp_replace(coalesce(p, ''), '\D', '', 'g') AS d) AS x
$$
--;
CREATE FUNCTION appeal_search_docs(a appeals)
    RETURNS TABLE (public_doc tsvector, personal_doc tsvector, name_grams text[])
LANGUAGE sql STABLE AS $$
SELECT
    search_words(concat_ws(' ', a.text, a.summary, a.external_ref,
        (SELECT string_agg(concat_ws(' ', l.letter_number, l.control_letter_number, l.text), ' ')
         FROM appeal_letters l WHERE l.appeal_id = a.id))),
    -- A confidential appeal's documents are personal data (R-12.1, R-8.2).
    search_words(concat_ws(' ', p.names, p.rest,
        -- "akt_2.pdf" is found as itself and by "akt" (the parser keeps a file name whole).
        (SELECT string_agg(concat_ws(' ', d.name, translate(d.name, '._', '  ')), ' ')
         FROM documents d
         WHERE d.appeal_id = a.id AND d.withdrawn_at IS NULL)))
        || to_tsvector('simple', coalesce(p.phones, '')),
    search_grams(search_fold(p.names))
FROM (
    SELECT concat_ws(' ', string_agg(search_person(x), ' '),
                     a.representative->>'name') AS names,
           concat_ws(' ', string_agg(concat_ws(' ', x->>'address', x->>'email'), ' '),
                     a.representative->>'address') AS rest,
           string_agg(concat_ws(' ', search_phone(x->>'phone'), search_phone(x->>'fax')),
                      ' ') AS phones
    FROM jsonb_array_elements(coalesce(a.applicants, '[]')) AS x
) AS p
$$
--;
CREATE FUNCTION appeal_search_refresh(target uuid) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    -- An appeal being deleted takes its row with it (the cascade), nothing to refresh.
    IF NOT EXISTS (SELECT FROM appeals WHERE id = target) THEN
        RETURN;
    END IF;
    INSERT INTO appeal_search (appeal_id) VALUES (target) ON CONFLICT DO NOTHING;
    PERFORM 1 FROM appeal_search WHERE appeal_id = target FOR UPDATE;
    -- A new statement: under READ COMMITTED it sees what was committed while it waited.
    UPDATE appeal_search s SET (public_doc, personal_doc, name_grams, stale) = (
        SELECT d.public_doc, d.personal_doc, d.name_grams, false
        FROM appeals a, appeal_search_docs(a) AS d WHERE a.id = target)
    WHERE s.appeal_id = target;
END
$$
--;
CREATE FUNCTION appeal_search_touch() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF TG_TABLE_NAME <> 'appeals' THEN
            PERFORM appeal_search_refresh(OLD.appeal_id);
        END IF;
        RETURN NULL;
    END IF;
    IF TG_TABLE_NAME = 'appeals' AND TG_OP = 'INSERT' THEN
        -- A new appeal is only marked: building its documents costs intake about 40 % of its
        -- throughput (bench/RESULTS.md), so the worker builds them a tick later.
        INSERT INTO appeal_search (appeal_id, stale) VALUES (NEW.id, true);
    ELSIF TG_TABLE_NAME = 'appeals' THEN
        PERFORM appeal_search_refresh(NEW.id);
    ELSE
        PERFORM appeal_search_refresh(NEW.appeal_id);
    END IF;
    RETURN NULL;
END
$$
--
--;
CREATE TRIGGER appeals_search AFTER INSERT OR UPDATE OF
    text, summary, external_ref, applicants, representative ON appeals
    FOR EACH ROW EXECUTE FUNCTION appeal_search_touch()
--;
CREATE TRIGGER appeal_letters_search AFTER INSERT OR DELETE OR UPDATE OF
    text, letter_number, control_letter_number ON appeal_letters
    FOR EACH ROW EXECUTE FUNCTION appeal_search_touch()
--;
CREATE TRIGGER documents_search AFTER INSERT OR DELETE OR UPDATE OF
    name, withdrawn_at ON documents
    FOR EACH ROW EXECUTE FUNCTION appeal_search_touch();
"""


def upgrade() -> None:
    op.execute(FOLD)
    op.execute(
        """CREATE TABLE appeal_search (
            appeal_id uuid PRIMARY KEY
                CONSTRAINT fk_appeal_search_appeal_id_appeals
                REFERENCES appeals (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
            public_doc tsvector NOT NULL DEFAULT ''::tsvector,
            personal_doc tsvector NOT NULL DEFAULT ''::tsvector,
            name_grams text[] NOT NULL DEFAULT '{}',
            stale boolean NOT NULL DEFAULT false
        )"""
    )
    for statement in DOCS.split("--;"):
        op.execute(statement)
    op.execute("CREATE INDEX ix_appeal_search_public ON appeal_search USING gin (public_doc)")
    op.execute("CREATE INDEX ix_appeal_search_personal ON appeal_search USING gin (personal_doc)")
    op.execute("CREATE INDEX ix_appeal_search_names ON appeal_search USING gin (name_grams)")
    op.execute("CREATE INDEX ix_appeal_search_stale ON appeal_search (appeal_id) WHERE stale")
    op.execute("SELECT appeal_search_refresh(id) FROM appeals")


def downgrade() -> None:
    op.execute("DROP TRIGGER documents_search ON documents")
    op.execute("DROP TRIGGER appeal_letters_search ON appeal_letters")
    op.execute("DROP TRIGGER appeals_search ON appeals")
    op.execute("DROP FUNCTION appeal_search_touch()")
    op.execute("DROP FUNCTION appeal_search_refresh(uuid)")
    op.execute("DROP FUNCTION appeal_search_docs(appeals)")
    op.execute("DROP TABLE appeal_search")
    op.execute("DROP FUNCTION search_gram_share(text[], text[])")
    op.execute("DROP FUNCTION search_grams(text)")
    op.execute("DROP FUNCTION search_phone(text)")
    op.execute("DROP FUNCTION search_person(jsonb)")
    op.execute("DROP FUNCTION search_words(text)")
    op.execute("DROP FUNCTION search_fold(text)")
