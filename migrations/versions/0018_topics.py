"""The classifier of questions (R-13): `topics` and the appeal's `topics`

A topic has a hierarchical code (`02.01` under `02`), names in the four languages, an optional
default lead unit and default confidentiality (suggestions, never applied: R-13.1), and is
retired rather than deleted. The starting classifier (`_STARTING` below) is
loaded here, with the Compliance Service unit its corruption topic names. An appeal carries the
codes of its topics (`appeals.topics`, GIN-indexed for `?topic=`).

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30 23:40:00
"""

from collections.abc import Sequence
from typing import NamedTuple

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The starting classifier: one row per topic (code, uz Latin, uz-Cyrl, ru, en, default lead
# unit, default confidential); a sub-topic's code extends its parent's, parents first.
_COMPLIANCE = ("COMPLIANCE", "Compliance Service")


class _Seed(NamedTuple):
    code: str
    uz: str
    uz_cyrl: str
    ru: str
    en: str
    lead_unit: str | None = None
    confidential: bool = False


_STARTING: tuple[_Seed, ...] = (
    _Seed("01", "Ish haqi", "Иш ҳақи", "Заработная плата", "Wages"),
    _Seed(
        "01.01",
        "Ish haqini toʻlashning kechiktirilishi",
        "Иш ҳақини тўлашнинг кечиктирилиши",
        "Задержка выплаты заработной платы",
        "Delayed payment of wages",
    ),
    _Seed(
        "01.02",
        "Mukofot va ustamalar",
        "Мукофот ва устамалар",
        "Премии и надбавки",
        "Bonuses and allowances",
    ),
    _Seed(
        "02",
        "Uy-joy va kommunal xizmatlar",
        "Уй-жой ва коммунал хизматлар",
        "Жильё и коммунальные услуги",
        "Housing and utilities",
    ),
    _Seed(
        "02.01",
        "Uy-joy bilan taʼminlash",
        "Уй-жой билан таъминлаш",
        "Обеспечение жильём",
        "Provision of housing",
    ),
    _Seed(
        "02.02",
        "Issiqlik, suv va elektr taʼminoti",
        "Иссиқлик, сув ва электр таъминоти",
        "Тепло-, водо- и электроснабжение",
        "Heating, water and electricity supply",
    ),
    _Seed("03", "Ekologiya va chang", "Экология ва чанг", "Экология и пыль", "Ecology and dust"),
    _Seed(
        "03.01",
        "Havoga chang va gaz chiqarilishi",
        "Ҳавога чанг ва газ чиқарилиши",
        "Выбросы пыли и газов в атмосферу",
        "Dust and gas emissions",
    ),
    _Seed(
        "03.02",
        "Suv va tuproqning ifloslanishi",
        "Сув ва тупроқнинг ифлосланиши",
        "Загрязнение воды и почвы",
        "Water and soil pollution",
    ),
    _Seed(
        "04",
        "Mehnatni muhofaza qilish",
        "Меҳнатни муҳофаза қилиш",
        "Охрана труда",
        "Safety at work",
    ),
    _Seed(
        "04.01",
        "Shaxsiy himoya vositalari",
        "Шахсий ҳимоя воситалари",
        "Средства индивидуальной защиты",
        "Personal protective equipment",
    ),
    _Seed(
        "04.02",
        "Ishlab chiqarishdagi baxtsiz hodisalar",
        "Ишлаб чиқаришдаги бахтсиз ҳодисалар",
        "Несчастные случаи на производстве",
        "Accidents at work",
    ),
    _Seed("05", "Yer masalalari", "Ер масалалари", "Земельные вопросы", "Land"),
    _Seed("06", "Ishga joylashish", "Ишга жойлашиш", "Трудоустройство", "Employment"),
    _Seed(
        "06.01",
        "Ishdan boʻshatish va boshqa ishga oʻtkazish",
        "Ишдан бўшатиш ва бошқа ишга ўтказиш",
        "Увольнение и перевод на другую работу",
        "Dismissal and transfer",
    ),
    _Seed(
        "07",
        "Ijtimoiy qoʻllab-quvvatlash",
        "Ижтимоий қўллаб-қувватлаш",
        "Социальная поддержка",
        "Social support",
    ),
    _Seed("07.01", "Moddiy yordam", "Моддий ёрдам", "Материальная помощь", "Financial aid"),
    _Seed(
        "07.02",
        "Sanatoriy va dam olish yoʻllanmalari",
        "Санаторий ва дам олиш йўлланмалари",
        "Путёвки на санаторное лечение и отдых",
        "Sanatorium and holiday vouchers",
    ),
    _Seed(
        "08",
        "Korrupsiya va manfaatlar toʻqnashuvi",
        "Коррупция ва манфаатлар тўқнашуви",
        "Коррупция и конфликт интересов",
        "Corruption and conflict of interest",
        lead_unit=_COMPLIANCE[0],
        confidential=True,
    ),
    _Seed("99", "Boshqa masalalar", "Бошқа масалалар", "Прочие вопросы", "Other"),
)


def _topics_table() -> None:
    op.create_table(
        "topics",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("parent", sa.String(length=32), nullable=True),
        sa.Column("name_uz", sa.String(length=300), nullable=False),
        sa.Column("name_uz_cyrl", sa.String(length=300), nullable=False),
        sa.Column("name_ru", sa.String(length=300), nullable=False),
        sa.Column("name_en", sa.String(length=300), nullable=False),
        sa.Column("lead_unit", sa.String(length=64), nullable=True),
        sa.Column("confidential", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("retired_reason", sa.Text(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(["parent"], ["topics.code"], name=op.f("fk_topics_parent_topics")),
        sa.ForeignKeyConstraint(
            ["lead_unit"], ["units.code"], name=op.f("fk_topics_lead_unit_units")
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_topics")),
    )


def upgrade() -> None:
    op.execute("SET CONSTRAINTS ALL IMMEDIATE")
    _topics_table()
    units = sa.table("units", sa.column("code", sa.String), sa.column("name", sa.String))
    op.execute(
        postgresql.insert(units)
        .values(code=_COMPLIANCE[0], name=_COMPLIANCE[1])
        .on_conflict_do_nothing()
    )
    topics = sa.table(
        "topics",
        *(sa.column(c) for c in ("code", "parent", "name_uz", "name_uz_cyrl", "name_ru")),
        *(sa.column(c) for c in ("name_en", "lead_unit", "confidential")),
    )
    op.bulk_insert(
        topics,
        [
            {
                "code": t.code,
                "parent": t.code.rpartition(".")[0] or None,
                "name_uz": t.uz,
                "name_uz_cyrl": t.uz_cyrl,
                "name_ru": t.ru,
                "name_en": t.en,
                "lead_unit": t.lead_unit,
                "confidential": t.confidential,
            }
            for t in _STARTING
        ],
    )
    op.add_column(
        "appeals",
        sa.Column(
            "topics",
            postgresql.ARRAY(sa.String(length=32)),
            server_default="{}",
            nullable=False,
        ),
    )
    op.create_index(
        "ix_appeals_topics", "appeals", ["topics"], unique=False, postgresql_using="gin"
    )


def downgrade() -> None:
    op.execute("SET CONSTRAINTS ALL IMMEDIATE")
    op.drop_index("ix_appeals_topics", table_name="appeals", postgresql_using="gin")
    op.drop_column("appeals", "topics")
    op.drop_table("topics")
    # The Compliance Service unit stays: keys or resolutions may name it by now.
