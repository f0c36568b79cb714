"""Duplicate and repeat suggestions (issue 15, R-2.3, §29, §50); new appeals indexed from the feed

`appeal_search` gains the appeal's number (`year`, `seq`: the newest matches of a common word
are walked in this table alone) and `person_keys`, the keys an applicant is recognised by,
whatever the script or the spelling:
- `p:` the phone's last nine digits; `e:` the e-mail in lower case;
- `n:` the name's skeleton (`search_skeleton`: folded by `search_fold`, vowels dropped,
  q/h/w/kh/dj written as k/x/v/x/j, doubled letters once, so "Toshmatov", "Tashmatov" and
  "Тошматов" meet), the two names in either order;
- `a:` the address's skeleton; `na:` the name at the address (what suggestions look an
  applicant up by, with phone and e-mail).
`appeal_person_keys` computes them, for the stored row and for an appeal being registered
alike; `search_stems` gives a text's word stems (folded, cut to five letters, common request
words left out) to compare two texts.

A new appeal's search row is no longer inserted by intake's trigger (it cost intake a write into
a table with four indexes, and a second one when the worker built it): the worker's
`refresh_search` reads the `appeal.registered` events after its cursor (`search_feed_cursor`)
and builds their rows. The seeder, which writes no events, builds its rows itself.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 23:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FUNCTIONS = r"""
CREATE FUNCTION search_skeleton(t text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT regexp_replace(regexp_replace(translate(
    replace(replace(search_fold(t), 'dj', 'j'), 'kh', 'x'), 'qhw', 'kxv'),
    '[^a-z0-9]|[aeiouy]', '', 'g'), '(.)\1+', '\1', 'g')
$$
--;
CREATE FUNCTION search_name_key(last_name text, first_name text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT CASE WHEN k.a = '' AND k.b = '' THEN NULL
            ELSE 'n:' || least(k.a, k.b) || ' ' || greatest(k.a, k.b) END
FROM (SELECT search_skeleton(coalesce(last_name, '')) AS a,
             search_skeleton(coalesce(first_name, '')) AS b) AS k
$$
--;
CREATE FUNCTION appeal_person_keys(applicants jsonb) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT coalesce(array_agg(DISTINCT v.k) FILTER (WHERE v.k IS NOT NULL), '{}')
FROM jsonb_array_elements(CASE jsonb_typeof(applicants) WHEN 'array' THEN applicants
                                                        ELSE '[]' END) AS x,
     LATERAL (SELECT regexp_replace(coalesce(x->>'phone', ''), '\D', '', 'g') AS digits,
                     search_name_key(coalesce(x->>'last_name', x->>'name'),
                                     x->>'first_name') AS name,
                     nullif(search_skeleton(coalesce(x->>'address', '')), '') AS address) AS p,
     LATERAL (VALUES
        (CASE WHEN length(p.digits) >= 7 THEN 'p:' || right(p.digits, 9) END),
        (CASE WHEN btrim(coalesce(x->>'email', '')) <> ''
              THEN 'e:' || lower(btrim(x->>'email')) END),
        (p.name),
        ('a:' || p.address),
        -- The name at the address: one key, as selective as a phone.
        ('na:' || substr(p.name, 3) || '|' || p.address)
     ) AS v(k)
$$
--;
CREATE FUNCTION search_stems(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT coalesce(array_agg(DISTINCT s.stem), '{}')
FROM regexp_split_to_table(search_fold(t), '[^[:alnum:]]+') AS w,
     LATERAL (SELECT left(w, least(5, length(w) - 1)) AS stem) AS s
WHERE length(w) >= 4 AND w !~ '^[0-9]+$'
  -- Words nearly every appeal has (please, I ask, we ask): they say nothing of the matter.
  AND s.stem <> ALL ('{ilti,sora,sorai,pros,plea,prosh,proshu,prosi,prosim,ilimos}')
$$
--;
CREATE FUNCTION search_shared(a text[], b text[]) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT count(*)::integer FROM (SELECT unnest(a) INTERSECT SELECT unnest(b)) AS x
$$
"""

REFRESH = r"""
CREATE OR REPLACE FUNCTION appeal_search_refresh(target uuid) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    -- An appeal being deleted takes its row with it (the cascade), nothing to refresh.
    IF NOT EXISTS (SELECT FROM appeals WHERE id = target) THEN
        RETURN;
    END IF;
    INSERT INTO appeal_search (appeal_id) VALUES (target) ON CONFLICT DO NOTHING;
    PERFORM 1 FROM appeal_search WHERE appeal_id = target FOR UPDATE;
    -- A new statement: under READ COMMITTED it sees what was committed while it waited.
    UPDATE appeal_search s
    SET (public_doc, personal_doc, name_grams, person_keys, year, seq) = (
        SELECT d.public_doc, d.personal_doc, d.name_grams, appeal_person_keys(a.applicants),
               a.year, a.seq
        FROM appeals a, appeal_search_docs(a) AS d WHERE a.id = target)
    WHERE s.appeal_id = target;
END
$$
--;
CREATE OR REPLACE FUNCTION appeal_search_touch() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF TG_TABLE_NAME <> 'appeals' THEN
            PERFORM appeal_search_refresh(OLD.appeal_id);
        END IF;
        RETURN NULL;
    END IF;
    IF TG_TABLE_NAME = 'appeals' THEN
        -- A new appeal's row is built from the feed (`refresh_search`); a change builds it
        -- now, under the row's lock, so neither build can leave the other's words behind.
        IF TG_OP = 'UPDATE' THEN
            PERFORM appeal_search_refresh(NEW.id);
        END IF;
    ELSE
        PERFORM appeal_search_refresh(NEW.appeal_id);
    END IF;
    RETURN NULL;
END
$$
--;
DROP TRIGGER appeals_search ON appeals
--;
CREATE TRIGGER appeals_search AFTER UPDATE OF
    text, summary, external_ref, applicants, representative ON appeals
    FOR EACH ROW EXECUTE FUNCTION appeal_search_touch()
"""

OLD_REFRESH = r"""
CREATE OR REPLACE FUNCTION appeal_search_refresh(target uuid) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT FROM appeals WHERE id = target) THEN
        RETURN;
    END IF;
    INSERT INTO appeal_search (appeal_id) VALUES (target) ON CONFLICT DO NOTHING;
    PERFORM 1 FROM appeal_search WHERE appeal_id = target FOR UPDATE;
    UPDATE appeal_search s SET (public_doc, personal_doc, name_grams, stale) = (
        SELECT d.public_doc, d.personal_doc, d.name_grams, false
        FROM appeals a, appeal_search_docs(a) AS d WHERE a.id = target)
    WHERE s.appeal_id = target;
END
$$
--;
CREATE OR REPLACE FUNCTION appeal_search_touch() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF TG_TABLE_NAME <> 'appeals' THEN
            PERFORM appeal_search_refresh(OLD.appeal_id);
        END IF;
        RETURN NULL;
    END IF;
    IF TG_TABLE_NAME = 'appeals' AND TG_OP = 'INSERT' THEN
        INSERT INTO appeal_search (appeal_id, stale) VALUES (NEW.id, true);
    ELSIF TG_TABLE_NAME = 'appeals' THEN
        PERFORM appeal_search_refresh(NEW.id);
    ELSE
        PERFORM appeal_search_refresh(NEW.appeal_id);
    END IF;
    RETURN NULL;
END
$$
--;
DROP TRIGGER appeals_search ON appeals
--;
CREATE TRIGGER appeals_search AFTER INSERT OR UPDATE OF
    text, summary, external_ref, applicants, representative ON appeals
    FOR EACH ROW EXECUTE FUNCTION appeal_search_touch()
"""


def _run(script: str) -> None:
    for statement in script.split("--;"):
        op.execute(statement)


def upgrade() -> None:
    # Rows an earlier revision wrote in this transaction have deferred foreign-key checks
    # pending, and PostgreSQL alters no table with pending trigger events: run them now.
    op.execute("SET CONSTRAINTS ALL IMMEDIATE")
    _run(FUNCTIONS)
    op.execute("ALTER TABLE appeal_search ADD COLUMN person_keys text[] NOT NULL DEFAULT '{}'")
    # The appeal's number, never changed: the newest matches of a common word are
    # walked in this table alone, the appeals joined only for the matches.
    op.execute("ALTER TABLE appeal_search ADD COLUMN year smallint, ADD COLUMN seq integer")
    op.execute(
        "CREATE TABLE search_feed_cursor (id smallint PRIMARY KEY CONSTRAINT "
        "ck_search_feed_cursor_single_row CHECK (id = 1), position bigint NOT NULL)"
    )
    # Appeals whose events are in the feed already get their rows here; later ones from it.
    op.execute(
        "INSERT INTO search_feed_cursor (id, position) SELECT 1, coalesce(max(feed_id), 0) "
        "FROM events"
    )
    _run(REFRESH)
    op.execute(
        "SELECT appeal_search_refresh(a.id) FROM appeals a "
        "LEFT JOIN appeal_search s ON s.appeal_id = a.id WHERE s.appeal_id IS NULL OR s.stale "
        "OR cardinality(s.person_keys) = 0"
    )
    op.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the rows just built, likewise
    op.execute("DROP INDEX ix_appeal_search_stale")
    op.execute("ALTER TABLE appeal_search DROP COLUMN stale")
    op.execute("CREATE INDEX ix_appeal_search_person_keys ON appeal_search USING gin (person_keys)")
    op.execute("CREATE INDEX ix_appeal_search_number ON appeal_search (year DESC, seq DESC)")


def downgrade() -> None:
    op.execute("SET CONSTRAINTS ALL IMMEDIATE")
    op.execute("DROP INDEX ix_appeal_search_person_keys")
    op.execute("DROP INDEX ix_appeal_search_number")
    op.execute("ALTER TABLE appeal_search DROP COLUMN year, DROP COLUMN seq")
    op.execute("ALTER TABLE appeal_search ADD COLUMN stale boolean NOT NULL DEFAULT false")
    op.execute("CREATE INDEX ix_appeal_search_stale ON appeal_search (appeal_id) WHERE stale")
    _run(OLD_REFRESH)
    op.execute("ALTER TABLE appeal_search DROP COLUMN person_keys")
    op.execute("DROP TABLE search_feed_cursor")
    op.execute("DROP FUNCTION search_shared(text[], text[])")
    op.execute("DROP FUNCTION search_stems(text)")
    op.execute("DROP FUNCTION appeal_person_keys(jsonb)")
    op.execute("DROP FUNCTION search_name_key(text, text)")
    op.execute("DROP FUNCTION search_skeleton(text)")
